import MeshDialect
extension RemotePushdown.Remote {
    /// Drops the bound values that no slot of the block reads any more, and numbers the rest
    /// from 0 again. A value is bound when its expression is printed, and the expression can
    /// then leave the SQL: an output pruned because nothing above reads it (`SELECT count(*)
    /// FROM (SELECT 0.10 AS x FROM t)`), or a projection an aggregate replaced. A source
    /// refuses a value it has no placeholder for (PostgreSQL: "bind message supplies 1
    /// parameters, but prepared statement requires 0"; SQLite: "column index out of range").
    mutating func dropUnusedParameters(_ d: any SQLDialect) {
        guard !params.values.isEmpty else { return }
        let kept = block.render(d).parameterIndices.filter { params.values.indices.contains($0) }.sorted()
        guard kept.count < params.values.count else { return }
        let renumbered = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        block = block.mapText { text in
            text.replacingParameters { i, suffix in .parameter(renumbered[i] ?? i, suffix: suffix) } ?? text
        }
        var compact = SQLParameters()
        for i in kept { compact.append(params.values[i]) }
        params = compact
    }
}
