import Foundation
import Synchronization
import MeshCore
import MeshSQL

/// What one fuzzed statement did, judged by the fuzzing invariant: a statement returns rows or
/// a SQL error. Anything else is a failure: an internal error, an error that is not a SQL
/// error, a message that shows an internal name (the aliases `c0`, `s1` of source queries),
/// or no answer within the time limit. (A crash ends the process: the runner prints each
/// statement before running it, so the last one printed is the culprit.)
public enum FuzzVerdict: Sendable, Equatable {
    case rows
    case sqlError
    /// Still running at the time limit, and stopped when cancelled: a query too big for the
    /// data (a nested loop over millions of pairs), not a defect.
    case slow
    case failure(String)
    /// Still running at the time limit and not stopped by cancelling it.
    case hang

    public var isFailure: Bool {
        switch self {
        case .rows, .sqlError, .slow: false
        case .failure, .hang: true
        }
    }

    static let internalName = try! NSRegularExpression(pattern: #"("[cs][0-9]+"|\b[cs][0-9]+\.|\(c[0-9]+\))"#)

    /// The verdict on an error `sql` raised. A name the statement itself uses (an alias `c2`)
    /// is the user's, not an internal one.
    public static func judge(_ error: any Error, sql: String = "") -> FuzzVerdict {
        let message: String
        switch error {
        case let e as MeshError:
            if e.code == .internalError { return .failure("internal error: \(e.message)") }
            message = e.message
        case let e as SQLSyntaxError:
            message = e.message
        default:
            return .failure("not a SQL error: \(type(of: error)): \(error)")
        }
        let range = NSRange(message.startIndex..., in: message)
        for match in internalName.matches(in: message, range: range) {
            guard let r = Range(match.range, in: message) else { continue }
            let name = message[r].filter { $0.isLetter || $0.isNumber }
            if sql.range(of: "\\b\(name)\\b", options: .regularExpression) == nil {
                return .failure("internal name in: \(message)")
            }
        }
        return .sqlError
    }

    /// Runs `body` (the statement `sql`), giving up after `timeout`: the body is cancelled
    /// then, and given `grace` to stop (`.slow`) before it counts as a hang. A hung body is
    /// not awaited, so it cannot hang the fuzzer too.
    public static func run(sql: String, timeout: Duration, grace: Duration = .seconds(5),
                           _ body: @escaping @Sendable () async throws -> Void) async -> FuzzVerdict {
        let decided = Once(), stopped = Once()
        return await withCheckedContinuation { (done: CheckedContinuation<FuzzVerdict, Never>) in
            let work = Task {
                let verdict: FuzzVerdict
                do {
                    try await body()
                    verdict = .rows
                } catch {
                    verdict = judge(error, sql: sql)
                }
                _ = stopped.claim()
                if decided.claim() { done.resume(returning: verdict) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                guard decided.claim() else { return }
                work.cancel()
                for _ in 0..<50 where !stopped.isClaimed { try? await Task.sleep(for: grace / 50) }
                done.resume(returning: stopped.isClaimed ? .slow : .hang)
            }
        }
    }
}

/// True for the first caller of `claim` only.
final class Once: Sendable {
    private let taken = Mutex(false)
    func claim() -> Bool {
        taken.withLock { t in
            defer { t = true }
            return !t
        }
    }
    var isClaimed: Bool { taken.withLock { $0 } }
}
