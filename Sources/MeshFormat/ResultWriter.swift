import MeshCore

/// Turns a result — its fields, then its batches as they arrive — into text on a sink.
///
/// The streaming formats (CSV, JSON, NDJSON) write each batch as it comes; the aligned table
/// has to see every row to size its columns, so it keeps the rows' text until `finish`.
public protocol ResultWriter {
    /// Called once, before any batch (CSV writes its header here, JSON its `[`).
    mutating func begin<S: OutputSink>(to sink: inout S)
    mutating func write<S: OutputSink>(_ batch: Batch, to sink: inout S)
    /// Called once after the last batch (the table prints itself and its row count here).
    mutating func finish<S: OutputSink>(to sink: inout S)
}

/// A result format of `meshql query --format …` and the shell.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json, ndjson

    /// A fresh writer for one result; `expanded` applies to `.table` only (psql's `\x`).
    public func makeWriter(fields: [Field], expanded: Bool = false) -> any ResultWriter {
        switch self {
        case .table: TableWriter(fields: fields, renderer: TableRenderer(expanded: expanded))
        case .csv: CSVWriter(fields: fields)
        case .json: JSONWriter(fields: fields)
        case .ndjson: NDJSONWriter(fields: fields)
        }
    }
}

/// Renders whole results from an async batch source.
public enum ResultRenderer {
    /// Pulls batches from `next` until it returns nil and writes them to `sink` in `format`,
    /// flushing after every batch so a consumer of a pipe sees rows as they are produced.
    ///
    /// Checks for cancellation between batches; the source itself is expected to stop when the
    /// task is cancelled. Returns the number of rows written.
    @discardableResult
    public static func render<S: OutputSink>(
        fields: [Field],
        format: OutputFormat,
        expanded: Bool = false,
        to sink: inout S,
        next: () async throws -> Batch?
    ) async throws -> Int {
        var writer = format.makeWriter(fields: fields, expanded: expanded)
        var rows = 0
        // The header waits for the first batch: a query that fails at its start (a source
        // refusing it) prints nothing but the error.
        var begun = false
        while let batch = try await next() {
            try Task.checkCancellation()
            if !begun { writer.begin(to: &sink); begun = true }
            writer.write(batch, to: &sink)
            rows += batch.rowCount
            sink.flush()
            // Nobody reads any more (the pager was quit): stop the statement too.
            if sink.isClosed { throw CancellationError() }
        }
        if !begun { writer.begin(to: &sink) }
        writer.finish(to: &sink)
        sink.flush()
        return rows
    }

    /// Renders batches already in memory (tests, catalog listings).
    public static func render<S: OutputSink>(
        fields: [Field], batches: [Batch], format: OutputFormat, expanded: Bool = false, to sink: inout S
    ) {
        var writer = format.makeWriter(fields: fields, expanded: expanded)
        writer.begin(to: &sink)
        for batch in batches { writer.write(batch, to: &sink) }
        writer.finish(to: &sink)
        sink.flush()
    }
}
