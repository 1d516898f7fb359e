/// One rewrite of the logical plan. A rule reports whether it changed the plan, so the
/// optimizer knows when it has reached a fixpoint and EXPLAIN can show which rule did what.
public protocol OptimizerRule: Sendable {
    var name: String { get }
    func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool)
}

extension OptimizerRule {
    /// The rewritten plan, with `changed` set by comparing it with the input: a rule that
    /// rebuilds the tree it was given reports no change.
    func transformed(_ before: LogicalPlan, _ rewrite: (LogicalPlan) throws -> LogicalPlan) rethrows -> (LogicalPlan, changed: Bool) {
        let after = try rewrite(before)
        return (after, after != before)
    }
}

/// Runs the logical rules in order, again and again until a whole pass changes nothing
/// (or `maxPasses` is reached), then the final rules once each (pushdown carving, which
/// turns subtrees into remote fragments and must see the settled plan).
public struct Optimizer: Sendable {
    public var rules: [any OptimizerRule]
    public var finalRules: [any OptimizerRule]
    public var maxPasses: Int

    public init(rules: [any OptimizerRule], finalRules: [any OptimizerRule] = [], maxPasses: Int = 8) {
        self.rules = rules
        self.finalRules = finalRules
        self.maxPasses = maxPasses
    }

    /// One rule's effect, for EXPLAIN: `predicate_pushdown (pass 1)`.
    public struct Step: Sendable, Hashable, CustomStringConvertible {
        public var rule: String
        public var pass: Int?
        public var description: String { pass.map { "\(rule) (pass \($0))" } ?? rule }
    }

    public func optimize(_ plan: LogicalPlan) throws -> (LogicalPlan, applied: [Step]) {
        var current = plan
        var applied: [Step] = []
        for pass in 1...max(1, maxPasses) {
            var changedInPass = false
            for rule in rules {
                let (next, changed) = try rule.apply(current)
                if changed {
                    applied.append(Step(rule: rule.name, pass: pass))
                    changedInPass = true
                }
                current = next
            }
            if !changedInPass { break }
        }
        for rule in finalRules {
            let (next, changed) = try rule.apply(current)
            if changed { applied.append(Step(rule: rule.name, pass: nil)) }
            current = next
        }
        return (current, applied)
    }
}
