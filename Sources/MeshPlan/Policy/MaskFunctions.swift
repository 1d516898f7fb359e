import MeshCore
import MeshSQL

/// The mask functions of SQL.md §5, bound as ordinary expressions where one exists (so a
/// masked column still goes down to its source) and as `mask_hash` where none does.
public enum MaskFunctions {
    public static let names: Set<String> = ["redact", "mask_email", "show_first", "show_last", "hash", "year"]

    /// The keyed hash of `hash(x)`: evaluated only here, since its key never leaves meshql.
    public static let hashFunction = "mask_hash"

    /// - Parameter hashKeys: the keys `hash()` may use: the product's mesh's under "", each
    ///   hash domain of that mesh under its name.
    static func bind(_ name: String, _ args: [BoundExpr], target: DataType, hashKeys: [String: [UInt8]],
                     at loc: SourceLocation) throws -> BoundExpr {
        func arity(_ n: Int, _ signature: String) throws {
            guard args.count == n else { throw MeshError(.undefinedFunction, "\(name) takes \(signature)", at: loc) }
        }
        func text(_ e: BoundExpr) throws -> BoundExpr {
            guard e.type == .text || e.type == .unknown else {
                throw MeshError(.typeMismatch, "\(name) applies to text, not \(e.type)", at: e.location ?? loc)
            }
            return Binder.coerce(e, to: .text)
        }
        func count(_ e: BoundExpr) throws -> BoundExpr {
            guard case .literal(.int(let n)) = e.kind, n >= 0 else {
                throw MeshError(.invalidParameter, "\(name) takes a constant count of characters", at: e.location ?? loc)
            }
            return .literal(.int(n), .integer)
        }
        func call(_ f: String, _ xs: [BoundExpr], _ t: DataType) -> BoundExpr { BoundExpr(.function(f, xs), type: t, at: loc) }
        let stars = BoundExpr.literal(.string("****"), .text)
        switch name {
        case "redact":
            try arity(0, "no arguments")
            // A fixed value of the column's type: text gets stars, anything else NULL.
            return target == .text ? stars : .literal(.null, target)
        case "mask_email":
            try arity(1, "one text argument")
            let x = try text(args[0])
            // `alice@acme.com` → `a****@acme.com`; text without an `@` is all stars.
            let at = call("position", [x, .literal(.string("@"), .text)], .integer)
            let hasAt = BoundExpr(.comparison(.greater, at, .literal(.int(0), .integer)), type: .boolean, at: loc)
            let masked = BoundExpr(.concat(BoundExpr(.concat(call("left", [x, .literal(.int(1), .integer)], .text), stars), type: .text),
                                           call("substring", [x, at], .text)), type: .text, at: loc)
            return BoundExpr(.caseWhen([BoundWhen(condition: BoundExpr(.isNull(x, negated: false), type: .boolean), result: .literal(.null, .text)),
                                        BoundWhen(condition: hasAt, result: masked)], otherwise: stars), type: .text, at: loc)
        case "show_first", "show_last":
            try arity(2, "a text and a count")
            let x = try text(args[0]), n = try count(args[1])
            // The first (last) n characters, the rest as `*`: rpad(left(x, n), length(x), '*').
            let kept = call(name == "show_first" ? "left" : "right", [x, n], .text)
            let length = call("length", [x], .integer)
            return call(name == "show_first" ? "rpad" : "lpad", [kept, length, .literal(.string("*"), .text)], .text)
        case "year":
            try arity(1, "one date or timestamp")
            let x = args[0]
            guard [.date, .timestamp, .timestamptz].contains(x.type) else {
                throw MeshError(.typeMismatch, "year applies to dates and timestamps, not \(x.type)", at: x.location ?? loc)
            }
            // The first day of the value's year, in the value's own type.
            let truncated = call("date_trunc", [.literal(.string("year"), .text), x], x.type == .date ? .timestamp : x.type)
            return x.type == .date ? BoundExpr(.cast(truncated), type: .date, at: loc) : truncated
        case "hash":
            // `hash(x)` under the mesh's own key; `hash(x, 'domain')` under a hash domain's, which
            // an org admin shares between meshes so that their hashed columns join.
            guard args.count == 1 || args.count == 2 else {
                throw MeshError(.undefinedFunction, "hash takes a text or integer value and, optionally, a hash domain", at: loc)
            }
            let x = args[0]
            guard x.type == .text || x.type.isInteger else {
                throw MeshError(.typeMismatch, "hash applies to text and integers, not \(x.type)", at: x.location ?? loc)
            }
            var domain = ""
            if args.count == 2 {
                guard case .literal(.string(let d)) = args[1].kind else {
                    throw MeshError(.invalidParameter, "hash takes the name of a hash domain as a constant string", at: args[1].location ?? loc)
                }
                domain = d.lowercased()
                guard hashKeys[domain] != nil || hashKeys.isEmpty else {
                    throw MeshError(.undefinedObject, "hash domain \"\(d)\" does not exist or does not include this mesh",
                                    at: args[1].location ?? loc, hint: "an org admin makes one: CREATE HASH DOMAIN \(d) FOR MESH …")
                }
            }
            guard let key = hashKeys[domain] else {
                throw MeshError(.catalog, "hash() needs the catalog's secret key, which is not available", at: loc)
            }
            return call(hashFunction, [x, .literal(.bytes(key), .bytea)], x.type)
        default:
            return .literal(.null, target)
        }
    }
}
