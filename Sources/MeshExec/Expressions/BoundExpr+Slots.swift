import MeshPlan

extension BoundExpr {
    /// The batch positions a laid-out expression reads.
    var referencedSlots: Set<Int> {
        var out = Set<Int>()
        func visit(_ e: BoundExpr) {
            if case .slot(let i) = e.kind { out.insert(i) }
            e.children.forEach(visit)
        }
        visit(self)
        return out
    }

    /// The expression over a batch whose columns start `offset` positions earlier (the right
    /// input of a join, read on its own).
    func shiftingSlots(by offset: Int) -> BoundExpr {
        rewritten { e in
            guard case .slot(let i) = e.kind else { return e }
            var c = e
            c.kind = .slot(i + offset)
            return c
        }
    }
}
