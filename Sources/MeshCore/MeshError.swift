import MeshSQL

/// The one public error type of the engine: a code, a message that never carries data values,
/// credentials or another organisation's names, and where known the position in the SQL text.
public struct MeshError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case syntax              // 42601
        case undefinedTable      // 42P01
        case undefinedColumn     // 42703
        case undefinedFunction   // 42883
        case ambiguousColumn     // 42702
        case typeMismatch        // 42804
        case groupingError       // 42803
        case duplicateObject     // 42710
        case undefinedObject     // 42704
        case dependentObjects    // 2BP01
        case invalidParameter    // 22023
        case invalidText         // 22P02
        case divisionByZero      // 22012
        case numericOverflow     // 22003
        case datetimeOverflow    // 22008: a date or timestamp out of range
        case intervalOverflow    // 22015
        case cardinalityViolation // 21000
        case outOfMemory         // 53200
        case programLimitExceeded // 54000
        case notSupported        // 0A000
        case connection          // 08006
        case source              // 58000: the source reported an error
        case cancelled           // 57014
        case catalog             // 58030
        case unavailable         // 55000: an object not fit for use now (an unhealthy data product)
        case permission          // 42501
        case internalError       // XX000
        case inFailedTransaction // 25P02: a PostgreSQL client's transaction block failed earlier
        case tooManyConnections  // 53300: the org runs as many queries as it may
        case invalidRegularExpression // 2201B
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?
    /// Extra guidance shown under the message ("HINT: …").
    public var hint: String?

    public init(_ code: Code, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var sqlState: String {
        switch code {
        case .syntax: "42601"
        case .undefinedTable: "42P01"
        case .undefinedColumn: "42703"
        case .undefinedFunction: "42883"
        case .ambiguousColumn: "42702"
        case .typeMismatch: "42804"
        case .groupingError: "42803"
        case .duplicateObject: "42710"
        case .undefinedObject: "42704"
        case .dependentObjects: "2BP01"
        case .invalidParameter: "22023"
        case .invalidText: "22P02"
        case .divisionByZero: "22012"
        case .numericOverflow: "22003"
        case .datetimeOverflow: "22008"
        case .intervalOverflow: "22015"
        case .cardinalityViolation: "21000"
        case .outOfMemory: "53200"
        case .programLimitExceeded: "54000"
        case .notSupported: "0A000"
        case .connection: "08006"
        case .source: "58000"
        case .cancelled: "57014"
        case .catalog: "58030"
        case .unavailable: "55000"
        case .permission: "42501"
        case .internalError: "XX000"
        case .inFailedTransaction: "25P02"
        case .invalidRegularExpression: "2201B"
        case .tooManyConnections: "53300"
        }
    }

    public var description: String {
        if let location { return "\(message) at \(location)" }
        return message
    }

    /// Attaches a position if the error does not have one yet.
    public func located(at location: SourceLocation?) -> MeshError {
        var copy = self
        if copy.location == nil { copy.location = location }
        return copy
    }
}
