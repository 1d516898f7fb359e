import Testing
@testable import MeshSQL

/// Parses `sql`, prints it, parses the print and checks both trees are equal and the printed
/// text is a fixed point.
@discardableResult
func checkQueryRoundTrip(_ sql: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> String {
    let first = try Parser.parseQuery(sql)
    let printed = SQLPrinter.print(first)
    let second: Query
    do {
        second = try Parser.parseQuery(printed)
    } catch {
        Issue.record("printed query does not parse: \(error)\n\(printed)", sourceLocation: sourceLocation)
        return printed
    }
    #expect(first == second, "round trip changed the tree:\n\(sql)\n→ \(printed)", sourceLocation: sourceLocation)
    #expect(SQLPrinter.print(second) == printed, sourceLocation: sourceLocation)
    return printed
}

/// The same for a statement; a view's `text` is its source, so it is compared through the print.
@discardableResult
func checkStatementRoundTrip(_ sql: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Statement {
    let first = try Parser.parseStatement(sql)
    let printed = SQLPrinter.print(first)
    let second: Statement
    do {
        second = try Parser.parseStatement(printed)
    } catch {
        Issue.record("printed statement does not parse: \(error)\n\(printed)", sourceLocation: sourceLocation)
        return first
    }
    if case .createView(let n1, let q1, _, let o1) = first, case .createView(let n2, let q2, _, let o2) = second {
        #expect(n1 == n2 && q1 == q2 && o1 == o2, "\(printed)", sourceLocation: sourceLocation)
    } else {
        #expect(first == second, "round trip changed the statement:\n\(sql)\n→ \(printed)", sourceLocation: sourceLocation)
    }
    #expect(SQLPrinter.print(second) == printed, sourceLocation: sourceLocation)
    return first
}

/// The error `sql` raises when parsed as a script.
func syntaxError(_ sql: String) -> SQLSyntaxError? {
    do {
        _ = try Parser.parseStatements(sql)
        return nil
    } catch {
        return error
    }
}

/// Shorthand builders for expected trees (locations are not part of equality).
func col(_ parts: String...) -> Expr { Expr(.column(parts)) }
func int(_ s: String) -> Expr { Expr(.literal(.integer(s))) }
func str(_ s: String) -> Expr { Expr(.literal(.string(s))) }
func bin(_ op: BinaryOperator, _ l: Expr, _ r: Expr) -> Expr { Expr(.binary(op, l, r)) }
