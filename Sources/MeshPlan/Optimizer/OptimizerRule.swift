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

/// Runs the rules in phases. A fixpoint phase runs its rules in order again and again until
/// a whole pass changes nothing (or `maxPasses` is reached); a single phase runs each rule
/// once (join ordering, which must see settled filters, and pushdown carving, which turns
/// subtrees into remote fragments at the very end).
public struct Optimizer: Sendable {
    public struct Phase: Sendable {
        public var rules: [any OptimizerRule]
        public var fixpoint: Bool
        public init(_ rules: [any OptimizerRule], fixpoint: Bool) {
            self.rules = rules
            self.fixpoint = fixpoint
        }
    }

    public var phases: [Phase]
    public var maxPasses: Int

    public init(phases: [Phase], maxPasses: Int = 8) {
        self.phases = phases
        self.maxPasses = maxPasses
    }

    /// Logical rules to a fixpoint, then `finalRules` once each.
    public init(rules: [any OptimizerRule], finalRules: [any OptimizerRule] = [], maxPasses: Int = 8) {
        self.init(phases: [Phase(rules, fixpoint: true), Phase(finalRules, fixpoint: false)], maxPasses: maxPasses)
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
        for phase in phases {
            let passes = phase.fixpoint ? max(1, maxPasses) : 1
            for pass in 1...passes {
                var changedInPass = false
                for rule in phase.rules {
                    // A statement cancelled while it is planned (a timeout, a hang-up) stops here.
                    try Task.checkCancellation()
                    let (next, changed) = try rule.apply(current)
                    if changed {
                        applied.append(Step(rule: rule.name, pass: phase.fixpoint ? pass : nil))
                        changedInPass = true
                    }
                    current = next
                }
                if !changedInPass { break }
            }
        }
        return (current, applied)
    }
}
