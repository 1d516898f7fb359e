import Foundation
import MeshCore

/// Catalog timestamps: ISO-8601, UTC, always six fractional digits
/// (`2025-04-10T13:30:27.416441Z`), as the seed API returns `created_at`.
public enum CatalogTimestamp {
    /// Microseconds since 1970, rounded to nearest so that a date read back re-rounds to itself.
    public static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `date` with sub-microsecond precision removed: what the catalog will give back.
    public static func normalized(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(micros(date)) / 1_000_000)
    }

    public static func format(_ date: Date) -> String {
        let us = micros(date)
        var day = us / CivilTime.microsPerDay
        var rem = us % CivilTime.microsPerDay
        if rem < 0 { rem += CivilTime.microsPerDay; day -= 1 }
        let secs = rem / 1_000_000
        return CivilTime.formatDate(Int32(day)) + "T" + pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2)
            + ":" + pad(secs % 60, 2) + "." + pad(rem % 1_000_000, 6) + "Z"
    }

    /// Parses what `format` writes (and looser ISO-8601 in UTC); nil if it is not a timestamp.
    public static func parse(_ text: String) -> Date? {
        CivilTime.parseTimestamp(text).map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
