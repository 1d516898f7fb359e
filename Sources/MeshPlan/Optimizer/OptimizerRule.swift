/// One rewrite of the logical plan. Rules report whether they changed anything so the
/// optimizer can print which rule did what (`EXPLAIN` shows the list).
public protocol OptimizerRule: Sendable {
    var name: String { get }
    func apply(_ plan: LogicalPlan) throws -> (LogicalPlan, changed: Bool)
}

/// Runs the rules in order, each once, and records which changed the plan.
public struct Optimizer: Sendable {
    public var rules: [any OptimizerRule]

    public init(rules: [any OptimizerRule]) {
        self.rules = rules
    }

    public func optimize(_ plan: LogicalPlan) throws -> (LogicalPlan, applied: [String]) {
        var current = plan
        var applied: [String] = []
        for rule in rules {
            let (next, changed) = try rule.apply(current)
            if changed { applied.append(rule.name) }
            current = next
        }
        return (current, applied)
    }
}
