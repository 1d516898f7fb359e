/// A function's output for a whole batch would be too large to hold at once: `rpad('x',
/// 5000000, 'y')` over 4,096 rows is 20 GB of text. Thrown by the text functions once the
/// values made so far pass `budget`, where the caller can take the batch in slices (the
/// projection, `ProjectOperator`); it says how many rows fitted.
struct OversizedOutput: Error {
    let rowsThatFit: Int

    /// Text one function call makes for one batch before the batch is sliced.
    static let budget = 8 << 20

    /// Whether the expression being evaluated may throw this (its caller slices). Elsewhere
    /// (a filter, a join key) the values are made whole, as before.
    @TaskLocal static var sliceable = false
}
