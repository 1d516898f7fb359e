import MeshCore

/// Decodes one result column's binary values (as COPY BINARY and binary FETCH deliver them)
/// straight into a `ColumnBuilder` of the requested output type, without building a `Value`.
/// Plain data with no reference in it: the batch builder reads it once per field, and a
/// class (or a struct holding a String) would be retained and released each time (7% of
/// reading lineitem). Failures name no column here; the batch builder adds it.
struct PGColumnDecoder: Sendable {
    enum Source {
        case int2, int4, int8, float4, float8, numeric, bool, text, jsonb, uuid, date, timestamp, bytea
    }

    let source: Source
    let target: PhysicalType
    /// The output decimal scale (decimal targets only).
    let scale: Int
    let outputType: DataType
    /// The exact byte length of fixed-size sources (0: variable), checked before loading.
    let fixedLength: Int

    init(source: Source, target: PhysicalType, scale: Int, outputType: DataType, fixedLength: Int) {
        self.source = source
        self.target = target
        self.scale = scale
        self.outputType = outputType
        self.fixedLength = fixedLength
    }

    /// The decoder for a column of PostgreSQL type `oid` read as `output`, or nil when this
    /// pair is not decoded here (the caller then casts on the server).
    static func make(oid: UInt32, output: DataType) -> PGColumnDecoder? {
        let target = output.physical
        let source: Source
        switch oid {
        case PGType.int2: source = .int2
        case PGType.int4: source = .int4
        case PGType.int8: source = .int8
        case PGType.float4: source = .float4
        case PGType.float8: source = .float8
        case PGType.numeric: source = .numeric
        case PGType.bool: source = .bool
        case PGType.jsonb: source = .jsonb
        case PGType.uuid: source = .uuid
        case PGType.date: source = .date
        case PGType.timestamp, PGType.timestamptz: source = .timestamp
        case PGType.bytea: source = .bytea
        case let o where PGType.textLike.contains(o): source = .text
        default: return nil
        }
        let supported: Bool
        switch (source, target) {
        case (.int2, .int), (.int4, .int), (.int8, .int),
             (.int2, .double), (.int4, .double), (.int8, .double),
             (.int2, .decimal), (.int4, .decimal), (.int8, .decimal),
             (.float4, .double), (.float8, .double), (.float4, .decimal), (.float8, .decimal),
             (.numeric, .decimal), (.numeric, .double), (.numeric, .int),
             (.bool, .bool),
             (.text, .string), (.jsonb, .string), (.uuid, .string),
             (.date, .date), (.date, .timestamp),
             (.timestamp, .timestamp), (.timestamp, .date),
             (.bytea, .bytes):
            supported = true
        default:
            supported = false
        }
        guard supported else { return nil }
        let fixed: Int
        switch source {
        case .bool: fixed = 1
        case .int2: fixed = 2
        case .int4, .float4, .date: fixed = 4
        case .int8, .float8, .timestamp: fixed = 8
        case .uuid: fixed = 16
        case .numeric: fixed = 0
        case .text, .jsonb, .bytea: fixed = 0
        }
        return PGColumnDecoder(source: source, target: target, scale: output.decimalScale,
                               outputType: output, fixedLength: fixed)
    }

    /// 2000-01-01 (PostgreSQL's epoch) in days and microseconds since 1970-01-01.
    static let epochDays: Int32 = 10_957
    static let epochMicros: Int64 = 946_684_800_000_000

    /// Decodes `len` bytes at `p` (never NULL: the caller handles length -1).
    @inline(__always)
    func decode(_ p: UnsafeRawPointer, _ len: Int, into b: inout ColumnBuilder) throws(PGDecodeFailure) {
        if fixedLength != 0, len != fixedLength { throw corrupt() }
        switch source {
        case .int2, .int4, .int8:
            let v: Int64
            switch source {
            case .int2: v = Int64(Int16(bigEndian: p.loadUnaligned(as: Int16.self)))
            case .int4: v = Int64(Int32(bigEndian: p.loadUnaligned(as: Int32.self)))
            default: v = Int64(bigEndian: p.loadUnaligned(as: Int64.self))
            }
            switch target {
            case .int: b.appendInt(v)
            case .double: b.appendDouble(Double(v))
            default: b.appendDecimal(Int128(v) * Decimal128.pow10(scale))
            }
        case .float4, .float8:
            let d = source == .float4
                ? Double(Float(bitPattern: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))))
                : Double(bitPattern: UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)))
            if target == .double { b.appendDouble(d); return }
            guard let v = Decimal128.fromDouble(d, scale: scale) else { throw overflow() }
            b.appendDecimal(v)
        case .numeric:
            try decodeNumeric(p, len, into: &b)
        case .bool:
            b.appendBool(p.load(as: UInt8.self) != 0)
        case .text:
            b.appendString(String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self))
        case .jsonb:
            // Version byte 1, then the JSON text.
            b.appendString(String(decoding: UnsafeRawBufferPointer(start: p + 1, count: max(0, len - 1)), as: UTF8.self))
        case .uuid:
            b.appendString(Self.formatUUID(UnsafeRawBufferPointer(start: p, count: len)))
        case .date:
            var days = Int32(bigEndian: p.loadUnaligned(as: Int32.self))
            if days != .max, days != .min { days += Self.epochDays }   // ±infinity stay as they are
            if target == .date { b.appendDate(days) } else {
                if days == .max || days == .min { b.appendTimestamp(days == .max ? .max : .min); return }
                guard let t = CivilTime.micros(fromDays: Int64(days)) else { throw overflow() }
                b.appendTimestamp(t)
            }
        case .timestamp:
            var micros = Int64(bigEndian: p.loadUnaligned(as: Int64.self))
            if micros != .max, micros != .min {
                let (m, o) = micros.addingReportingOverflow(Self.epochMicros)
                guard !o else { throw overflow() }
                micros = m
            }
            if target == .timestamp { b.appendTimestamp(micros); return }
            var day = micros / CivilTime.microsPerDay
            if micros % CivilTime.microsPerDay < 0 { day -= 1 }
            b.appendDate(Int32(clamping: day))
        case .bytea:
            b.appendBytes(Array(UnsafeRawBufferPointer(start: p, count: len)))
        }
    }

    // MARK: numeric

    /// Binary numeric: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits
    /// base-10000 digits; the value is Σ digit[i] · 10000^(weight − i).
    @inline(__always)
    private func decodeNumeric(_ p: UnsafeRawPointer, _ len: Int, into b: inout ColumnBuilder) throws(PGDecodeFailure) {
        guard len >= 8 else { throw corrupt() }
        let ndigits = Int(Int16(bigEndian: p.loadUnaligned(as: Int16.self)))
        let weight = Int(Int16(bigEndian: p.loadUnaligned(fromByteOffset: 2, as: Int16.self)))
        let sign = UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        let dscale = Int(Int16(bigEndian: p.loadUnaligned(fromByteOffset: 6, as: Int16.self)))
        let digits = p + 8
        guard ndigits >= 0, len >= 8 + 2 * ndigits else { throw corrupt() }
        if sign != 0x0000 && sign != 0x4000 {
            // NaN (0xC000), +Infinity (0xD000), -Infinity (0xF000).
            guard target == .double else { throw overflow() }
            b.appendDouble(sign == 0xC000 ? .nan : sign == 0xD000 ? .infinity : -.infinity)
            return
        }
        let negative = sign == 0x4000
        switch target {
        case .decimal:
            guard let v = Self.scaled(digits, ndigits, weight, negative, scale: scale) else { throw overflow() }
            b.appendDecimal(v)
        case .int:
            guard let v = Self.scaled(digits, ndigits, weight, negative, scale: 0),
                  let i = Int64(exactly: v) else { throw overflow() }
            b.appendInt(i)
        default:
            // Exact when the digits fit 53 bits and the scale a power of ten a double holds
            // exactly: one correctly rounded division. Otherwise a close approximation.
            let s = min(max(dscale, 0), 22)
            if let v = Self.scaled(digits, ndigits, weight, negative, scale: s), v.magnitude < (1 << 53) {
                b.appendDouble(Double(v) / Double(Decimal128.pow10(s)))
            } else {
                var d = 0.0
                for i in 0..<ndigits {
                    let digit = Double(UInt16(bigEndian: digits.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    d += digit * Self.pow10000(weight - i)
                }
                b.appendDouble(negative ? -d : d)
            }
        }
    }

    /// The value at `scale` fractional digits, rounded half away from zero (as PostgreSQL
    /// rounds numeric). Nil when it does not fit 128 bits.
    @inline(__always)
    static func scaled(_ digits: UnsafeRawPointer, _ ndigits: Int, _ weight: Int, _ negative: Bool,
                       scale: Int) -> Int128? {
        var acc: Int128 = 0
        var roundUp = false
        for i in 0..<ndigits {
            let d = Int128(UInt16(bigEndian: digits.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            // This digit group's power of ten, in units of the output scale.
            let e = 4 * (weight - i) + scale
            if e >= 0 {
                if d == 0 { continue }
                guard e <= 38 else { return nil }
                let (m, o1) = d.multipliedReportingOverflow(by: Decimal128.pow10(e))
                let (sum, o2) = acc.addingReportingOverflow(m)
                if o1 || o2 { return nil }
                acc = sum
                continue
            }
            // The first group reaching below the scale decides the rounding; later groups can
            // only add less than one unit of its last kept digit.
            if e > -4 {
                let div = Decimal128.pow10(-e)
                acc += d / div
                roundUp = (d % div) * 2 >= div
            } else if e == -4 {
                roundUp = d >= 5000
            }
            break
        }
        if roundUp { acc += 1 }
        return negative ? -acc : acc
    }

    private static func pow10000(_ n: Int) -> Double {
        var r = 1.0
        if n >= 0 { for _ in 0..<n { r *= 10_000 } } else { for _ in 0..<(-n) { r /= 10_000 } }
        return r
    }

    private static func formatUUID(_ bytes: UnsafeRawBufferPointer) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: errors (never carry the value)

    private func overflow() -> PGDecodeFailure { .overflow(outputType) }
    private func corrupt() -> PGDecodeFailure { .malformed }
}

/// A value that could not be decoded; `meshError` names the column, never the value.
enum PGDecodeFailure: Error {
    case overflow(DataType)
    case malformed

    /// - Parameter column: the column's label, as `RemoteQuery.columnLabel` gives it.
    func meshError(column: String) -> MeshError {
        switch self {
        case .overflow(let type):
            MeshError(.numericOverflow, "a value of \(column) from PostgreSQL does not fit type \(type)")
        case .malformed:
            MeshError(.internalError, "malformed binary value in \(column) from PostgreSQL")
        }
    }
}
