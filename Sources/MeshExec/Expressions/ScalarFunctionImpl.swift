import Foundation
import Synchronization
import MeshCore
import MeshPlan

/// Implementations of `ScalarFunctions`. These run value by value: they are not on the hot
/// paths of joins and aggregates, and each is a few lines this way.
enum ScalarFunctionImpl {
    /// Text from code points: string functions count characters as PostgreSQL does, by code
    /// point (`e` + a combining accent is two), not by grapheme cluster.
    static func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The longest string lpad / rpad make.
    static let maxPaddedLength = 10_000_000

    /// `count` characters of `fill` (`scalars` of them) over and over: whole copies, then the
    /// start of one more. A padded value may be ten million characters, so the copies are
    /// made by doubling a UTF-8 buffer, not character by character.
    static func padding(_ fill: String, scalars: Int, count: Int) -> String {
        let unit = Array(fill.utf8), whole = count / scalars
        let tail = Array(String(text(fill.unicodeScalars.prefix(count % scalars))).utf8)
        var bytes = [UInt8](repeating: 0, count: unit.count * whole + tail.count)
        bytes.withUnsafeMutableBufferPointer { out in
            let wholeBytes = unit.count * whole
            guard wholeBytes > 0 else { return }
            unit.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: unit.count) }
            var filled = unit.count
            while filled < wholeBytes {
                let k = min(filled, wholeBytes - filled)
                (out.baseAddress! + filled).update(from: out.baseAddress!, count: k)
                filled += k
            }
        }
        bytes.replaceSubrange((bytes.count - tail.count)..., with: tail)
        return String(decoding: bytes, as: UTF8.self)
    }
    typealias Impl = @Sendable ([Column], Int) throws -> Column

    static func make(_ name: String, argumentTypes: [DataType], resultType: DataType) throws -> Impl {
        // Functions that see NULL arguments themselves.
        switch name {
        case "coalesce":
            return { cols, n in
                var b = ColumnBuilder(type: resultType, capacity: n)
                for i in 0..<n {
                    b.append(cols.first(where: { $0.validity.isValid(i) })?.value(at: i) ?? .null)
                }
                return b.finish()
            }
        case "concat":
            return { cols, n in
                Column(type: .text, storage: .string((0..<n).map { i in cols.map { $0.value(at: i).description }.joined() }))
            }
        case "greatest", "least":
            let greatest = name == "greatest"
            return { cols, n in
                var b = ColumnBuilder(type: resultType, capacity: n)
                for i in 0..<n {
                    var best: Value = .null
                    for c in cols where c.validity.isValid(i) {
                        let v = c.value(at: i)
                        if best.isNull || (greatest ? ValueOrder.less(best, v) : ValueOrder.less(v, best)) { best = v }
                    }
                    b.append(best)
                }
                return b.finish()
            }
        case MaskFunctions.hashFunction:
            return try maskHash(argumentTypes: argumentTypes, resultType: resultType)
        case "nullif":
            return { cols, n in
                let eq = Kernels.compare(.equal, cols[0], cols[1]).truthMask()
                var b = ColumnBuilder(type: resultType, capacity: n)
                for i in 0..<n { b.append(eq[i] ? .null : cols[0].value(at: i)) }
                return b.finish()
            }
        default: break
        }
        if name == "substring", argumentTypes.first == .text, argumentTypes.dropFirst().allSatisfy(\.isInteger) {
            return substringKernel
        }
        guard let f = strict(name, argumentTypes, resultType) else {
            throw MeshError(.undefinedFunction, "function \(name) is not implemented")
        }
        // NULL in, NULL out.
        return { cols, n in
            var b = ColumnBuilder(type: resultType, capacity: n)
            // Text output is counted, so that a projection can take a batch of huge values
            // (rpad to millions of characters) in slices instead of all at once.
            let sliceable = resultType == .text && n > 1 && OversizedOutput.sliceable
            var bytes = 0
            for i in 0..<n {
                if cols.contains(where: { $0.validity.isNull(i) }) { b.appendNull(); continue }
                let v = try f(cols.map { $0.value(at: i) })
                if sliceable, case .string(let s) = v {
                    bytes += s.utf8.count
                    if bytes > OversizedOutput.budget, i > 0 { throw OversizedOutput(rowsThatFit: i) }
                }
                b.append(v)
            }
            return b.finish()
        }
    }

    static func strict(_ name: String, _ types: [DataType], _ result: DataType) -> (@Sendable ([Value]) throws -> Value)? {
        @Sendable func str(_ v: Value) -> String { if case .string(let s) = v { return s }; return v.description }
        @Sendable func int(_ v: Value) -> Int64 { if case .int(let i) = v { return i }; return 0 }
        @Sendable func dbl(_ v: Value) -> Double {
            switch v {
            case .int(let i): return Double(i)
            case .double(let d): return d
            case .decimal(let x, let s): return Decimal128.toDouble(x, scale: s)
            default: return 0
            }
        }
        switch name {
        case "abs":
            return { a in
                switch a[0] {
                case .int(let i): guard i != .min else { throw MeshError(.numericOverflow, "bigint out of range") }; return .int(Swift.abs(i))
                case .double(let d): return .double(Swift.abs(d))
                case .decimal(let x, let s): return .decimal(x < 0 ? -x : x, scale: s)
                default: return .null
                }
            }
        case "round", "trunc", "floor", "ceil":
            return { a in
                let digits = a.count > 1 ? Int(int(a[1])) : 0
                switch a[0] {
                case .int(let i): return result.physical == .decimal ? .decimal(Int128(i) * Decimal128.pow10(result.decimalScale), scale: result.decimalScale) : .int(i)
                case .double(let d):
                    switch name {
                    case "round": return .double(d.rounded(.toNearestOrEven))
                    case "trunc": return .double(d.rounded(.towardZero))
                    case "floor": return .double(d.rounded(.down))
                    default: return .double(d.rounded(.up))
                    }
                case .decimal(let x, let s):
                    let target = max(0, min(digits, s))
                    let d = Decimal128.pow10(s - target)
                    var q = x / d
                    let r = x % d
                    switch name {
                    case "round": q = Decimal128.rescale(x, from: s, to: target)
                    case "floor": if r < 0 { q -= 1 }
                    case "ceil": if r > 0 { q += 1 }
                    default: break
                    }
                    return .decimal(Decimal128.rescale(q, from: target, to: result.decimalScale), scale: result.decimalScale)
                default: return .null
                }
            }
        case "sqrt": return { a in
            let d = dbl(a[0])
            guard d >= 0 else { throw MeshError(.invalidParameter, "cannot take square root of a negative number") }
            return .double(d.squareRoot())
        }
        case "power": return { a in
            let x = dbl(a[0]), y = dbl(a[1])
            let r = Foundation.pow(x, y)
            if r.isInfinite, x.isFinite, y.isFinite {
                throw x == 0 && y < 0 ? MeshError(.invalidParameter, "zero raised to a negative power is undefined") : Kernels.doubleOverflow
            }
            return .double(r)
        }
        case "ln": return { a in
            guard dbl(a[0]) > 0 else { throw MeshError(.invalidParameter, "cannot take logarithm of zero or a negative number") }
            return .double(Foundation.log(dbl(a[0])))
        }
        case "exp": return { a in
            let r = Foundation.exp(dbl(a[0]))
            if r.isInfinite, dbl(a[0]).isFinite { throw Kernels.doubleOverflow }
            return .double(r)
        }
        case "mod": return { a in
            let c = try Kernels.arithmetic(.modulo, Column(repeating: a[0], type: types[0], count: 1),
                                           Column(repeating: a[1], type: types[1], count: 1), resultType: result)
            return c.value(at: 0)
        }
        // Characters are code points, as in PostgreSQL (Swift's `count` counts graphemes).
        case "length", "char_length": return { a in .int(Int64(str(a[0]).unicodeScalars.count)) }
        case "lower": return { a in .string(ASCIICase.lower(str(a[0]))) }
        case "upper": return { a in .string(ASCIICase.upper(str(a[0]))) }
        case "reverse": return { a in
            var out = String.UnicodeScalarView()
            out.append(contentsOf: str(a[0]).unicodeScalars.reversed())
            return .string(String(out))
        }
        case "btrim", "ltrim", "rtrim":
            return { a in
                let set = Set((a.count > 1 ? str(a[1]) : " "))
                var s = Substring(str(a[0]))
                if name != "rtrim" { while let f = s.first, set.contains(f) { s = s.dropFirst() } }
                if name != "ltrim" { while let l = s.last, set.contains(l) { s = s.dropLast() } }
                return .string(String(s))
            }
        case "replace": return { a in
            let from = str(a[1])
            return .string(from.isEmpty ? str(a[0]) : str(a[0]).replacingOccurrences(of: from, with: str(a[2])))
        }
        case "lpad", "rpad":
            return { a in
                let text = str(a[0]), n = Int(int(a[1]))
                // One value per row may not take the machine: PostgreSQL stops at 1 GB,
                // meshql at ten million characters.
                guard n <= Self.maxPaddedLength else {
                    throw MeshError(.programLimitExceeded, "requested length too large")
                }
                let length = text.unicodeScalars.count
                if n <= length { return .string(Self.text(text.unicodeScalars.prefix(max(0, n)))) }
                let fill = a.count > 2 ? str(a[2]) : " "
                let fillLength = fill.unicodeScalars.count
                if fillLength == 0 { return .string(text) }
                let padding = Self.padding(fill, scalars: fillLength, count: n - length)
                return .string(name == "lpad" ? padding + text : text + padding)
            }
        case "split_part":
            return { a in
                let n = Int(int(a[2]))
                guard n != 0 else { throw MeshError(.invalidParameter, "field position must not be zero") }
                let sep = str(a[1])
                let parts = sep.isEmpty ? [str(a[0])] : str(a[0]).components(separatedBy: sep)
                let idx = n > 0 ? n - 1 : parts.count + n
                return .string(idx >= 0 && idx < parts.count ? parts[idx] : "")
            }
        case "starts_with": return { a in .bool(str(a[0]).hasPrefix(str(a[1]))) }
        case "substring":
            return { a in
                let start = Int(int(a[1]))
                var end = Int.max
                if a.count > 2 {
                    let len = Int(int(a[2]))
                    guard len >= 0 else { throw MeshError(.invalidParameter, "negative substring length not allowed") }
                    // Past the end of any string: the rest of it.
                    let (sum, overflow) = start.addingReportingOverflow(len)
                    end = overflow ? Int.max : sum
                }
                return .string(Self.substring(str(a[0]), from: start, to: end))
            }
        case "position":
            // In code points, as substring counts (and PostgreSQL): `e` + a combining accent
            // is two characters, so position and substring agree.
            return { a in
                let hay = Array(str(a[0]).unicodeScalars), needle = Array(str(a[1]).unicodeScalars)
                if needle.isEmpty { return .int(1) }
                guard needle.count <= hay.count else { return .int(0) }
                for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
                    return .int(Int64(i + 1))
                }
                return .int(0)
            }
        case "left", "right":
            return { a in
                let s = Array(str(a[0]).unicodeScalars), n = Int(int(a[1]))
                let k = n >= 0 ? min(n, s.count) : max(0, s.count + n)
                return .string(Self.text(name == "left" ? s.prefix(k) : s.suffix(k)))
            }
        case "regexp_like":
            let cache = RegexCache()
            return { a in .bool(try cache.matches(str(a[0]), pattern: str(a[1]), flags: a.count > 2 ? str(a[2]) : "")) }
        case "format_type":
            return { a in .text(PostgresType.format(oid: int(a[0]), modifier: int(a[1])) ?? "???") }
        case "array_contains":
            // `x = ANY (a)`: NULL when x is not there but a NULL element is, as in PostgreSQL.
            return { a in
                guard let items = PostgresArrayText.elements(str(a[0])) else { throw malformedArray() }
                if items.contains(where: { $0 == str(a[1]) }) { return .bool(true) }
                return items.contains(where: { $0 == nil }) ? .null : .bool(false)
            }
        case "int8and": return { a in .int(int(a[0]) & int(a[1])) }
        case "int8or": return { a in .int(int(a[0]) | int(a[1])) }
        case "array_item":
            // One element as an array's text writes it (quoted where it must be).
            return { a in .string(String(PostgresArrayText.format([str(a[0])]).dropFirst().dropLast())) }
        case "pg_size_pretty":
            return { a in
                var size = dbl(a[0])
                for unit in ["bytes", "kB", "MB", "GB", "TB"] {
                    if abs(size) < 10 * 1024 || unit == "TB" { return .string("\(Int64(size.rounded())) \(unit)") }
                    size /= 1024
                }
                return .null
            }
        case "unnest_element":
            // Element i of a; at the last index unnest reads, an array with more is refused.
            return { a in
                guard let items = PostgresArrayText.elements(str(a[0])) else { throw malformedArray() }
                let i = int(a[1])
                if i >= int(a[2]), items.count > i {
                    throw MeshError(.programLimitExceeded, "unnest over a value of each row reads arrays of at most \(int(a[2])) elements")
                }
                return i >= 1 && i <= items.count ? .text(items[Int(i) - 1]) : .null
            }
        case "array_element":
            return { a in
                guard let items = PostgresArrayText.elements(str(a[0])) else { throw malformedArray() }
                let i = int(a[1])
                return i >= 1 && i <= items.count ? .text(items[Int(i) - 1]) : .null
            }
        case "array_to_string":
            return { a in
                guard let items = PostgresArrayText.elements(str(a[0])) else { throw malformedArray() }
                let null = a.count > 2 ? str(a[2]) : nil
                return .string(items.compactMap { $0 ?? null }.joined(separator: str(a[1])))
            }
        case "array_upper", "array_length", "cardinality", "array_lower":
            return { a in
                guard let items = PostgresArrayText.elements(str(a[0])) else { throw malformedArray() }
                if a.count > 1, int(a[1]) != 1 { return .null }
                if items.isEmpty { return name == "cardinality" ? .int(0) : .null }
                return .int(name == "array_lower" ? 1 : Int64(items.count))
            }
        case "date_part":
            return { a in try DateFunctions.datePart(str(a[0]), a[1]) }
        case "date_trunc":
            return { a in try DateFunctions.dateTrunc(str(a[0]), a[1]) }
        case "add_interval":
            return { a in
                guard case .timestamp(let t) = a[0] else { return .null }
                return .timestamp(try IntervalMath.add(t, months: Int(int(a[1])), days: Int(int(a[2])), micros: int(a[3])))
            }
        default: return nil
        }
    }
}

extension ScalarFunctionImpl {
    static func malformedArray() -> MeshError {
        MeshError(.invalidParameter, "malformed array literal", hint: "arrays are written {a,b,c}")
    }
}

/// Compiled regular expressions by pattern, for `~` and `regexp_like`: a query usually matches
/// every row against one constant pattern.
final class RegexCache: Sendable {
    private let compiled = Mutex<[String: POSIXRegex]>([:])

    func matches(_ text: String, pattern: String, flags: String) throws -> Bool {
        let key = flags + "\u{0}" + pattern
        if let r = compiled.withLock({ $0[key] }) { return r.matches(text) }
        var options = REG_EXTENDED | REG_NOSUB
        for f in flags {
            switch f {
            case "i": options |= REG_ICASE
            case "c": options &= ~REG_ICASE
            case "n", "m": options |= REG_NEWLINE
            case "s": options &= ~REG_NEWLINE
            default: throw MeshError(.invalidParameter, "invalid regular expression option: \"\(f)\"")
            }
        }
        let regex = try POSIXRegex(pattern, options: options)
        compiled.withLock { if $0.count < 64 { $0[key] = regex } }
        return regex.matches(text)
    }
}

/// A POSIX extended regular expression (the C library's `regcomp` / `regexec`). Not a
/// backtracking engine: a pattern such as `(.*a){25}$` takes microseconds on any text, where a
/// backtracking one would hold a thread for many seconds that no cancel could interrupt.
/// PostgreSQL's shorthand classes `\d` and `\D` are rewritten to bracket expressions (the C
/// library knows `\w` and `\s`).
final class POSIXRegex: @unchecked Sendable {
    private let regex = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)

    init(_ pattern: String, options: Int32) throws {
        guard !pattern.utf8.contains(0) else { throw MeshError(.invalidRegularExpression, "invalid regular expression") }
        let status = regcomp(regex, Self.posix(pattern), options)
        guard status == 0 else {
            regex.deallocate()
            throw MeshError(.invalidRegularExpression, "invalid regular expression")
        }
    }

    deinit {
        regfree(regex)
        regex.deallocate()
    }

    /// Whether `text` holds a match (regexec is safe to call from several threads at once).
    func matches(_ text: String) -> Bool {
        regexec(regex, text, 0, nil, 0) == 0
    }

    /// `\d` → `[0-9]`, `\D` → `[^0-9]` outside bracket expressions.
    static func posix(_ pattern: String) -> String {
        var out = ""
        var inBracket = false
        var chars = Array(pattern)[...]
        while let c = chars.popFirst() {
            if c == "\\", let next = chars.first {
                chars.removeFirst()
                if !inBracket, next == "d" { out += "[0-9]"; continue }
                if !inBracket, next == "D" { out += "[^0-9]"; continue }
                out.append(c)
                out.append(next)
                continue
            }
            if c == "[", !inBracket { inBracket = true } else if c == "]", inBracket { inBracket = false }
            out.append(c)
        }
        return out
    }
}

extension ScalarFunctionImpl {
    /// `substring(text, start [, length])` over whole columns, without a `Value` per row
    /// (TPC-H q22 takes the first two characters of every phone number). Characters are code
    /// points, as in the row-by-row version; ASCII text is cut by bytes.
    static let substringKernel: Impl = { cols, n in
        guard case .string(let texts) = cols[0].storage, case .int(let starts) = cols[1].storage else {
            throw MeshError(.internalError, "substring kernel over unexpected columns")
        }
        let lengths: [Int64]?
        if cols.count > 2 {
            guard case .int(let l) = cols[2].storage else { throw MeshError(.internalError, "substring kernel over unexpected columns") }
            lengths = l
        } else {
            lengths = nil
        }
        let anyNull = cols.contains { $0.validity.hasNulls }
        var out = [String](repeating: "", count: n)
        for i in 0..<n {
            if anyNull, cols.contains(where: { $0.validity.isNull(i) }) { continue }
            let start = Int(starts[i])
            var end = Int.max
            if let lengths {
                let len = Int(lengths[i])
                guard len >= 0 else { throw MeshError(.invalidParameter, "negative substring length not allowed") }
                let (sum, overflow) = start.addingReportingOverflow(len)
                end = overflow ? Int.max : sum
            }
            out[i] = substring(texts[i], from: start, to: end)
        }
        let validity = anyNull ? Validity(count: n) { i in cols.allSatisfy { $0.validity.isValid(i) } } : Validity(allValid: n)
        return Column(type: .text, storage: .string(out), validity: validity)
    }

    /// Characters (code points) `lo ..< hi`, counted from 1 and clipped to the string.
    static func substring(_ s: String, from lo: Int, to hi: Int) -> String {
        let lo = max(lo, 1)
        guard lo < hi else { return "" }
        let utf8 = s.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            let count = utf8.count
            guard lo <= count else { return "" }
            let a = utf8.index(utf8.startIndex, offsetBy: lo - 1)
            let b = hi - 1 >= count ? utf8.endIndex : utf8.index(utf8.startIndex, offsetBy: hi - 1)
            return String(Substring(utf8[a..<b]))
        }
        let scalars = s.unicodeScalars
        var a = scalars.startIndex
        var k = 1
        while k < lo, a != scalars.endIndex { scalars.formIndex(after: &a); k += 1 }
        var b = a
        while k < hi, b != scalars.endIndex { scalars.formIndex(after: &b); k += 1 }
        return text(scalars[a..<b])
    }
}

/// Ordering of single values (GREATEST/LEAST, sort of mixed edges).
enum ValueOrder {
    static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): x < y
        case (.double(let x), .double(let y)): x < y
        case (.decimal(let x, let s1), .decimal(let y, let s2)):
            Decimal128.rescale(x, from: s1, to: max(s1, s2)) < Decimal128.rescale(y, from: s2, to: max(s1, s2))
        case (.string(let x), .string(let y)): x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.date(let x), .date(let y)): x < y
        case (.timestamp(let x), .timestamp(let y)): x < y
        case (.bool(let x), .bool(let y)): !x && y
        default: false
        }
    }
}
