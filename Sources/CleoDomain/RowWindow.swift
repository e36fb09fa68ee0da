/// Where a page of a list keyed by a growing row id starts (rejected lines, refused
/// deliveries): keyset, never OFFSET, newest first like the transactions.
public enum RowWindow: Sendable, Equatable {
    case newest
    case oldest
    /// Rows older than this id (the next page down).
    case olderThan(Int64)
    /// Rows newer than this id (the page above), nearest first.
    case newerThan(Int64)
}
