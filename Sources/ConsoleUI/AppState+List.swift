import CleoDomain
import TerminalCanvas

// The list's requests: the page, the counts (when to ask is decided here, not in the runner), copying.

/// A count of the transactions list: how many match `filters`, how many are overdue, and how
/// many matching rows are newer than `atOrBelow` (the window's first row + 1) for the position.
public struct CountRequest: Sendable, Equatable {
    public var filters: TransactionQuery
    public var atOrBelow: Int64?
    /// The filter panel is open: its counts per value too (one grouped query).
    public var facets: Bool
    public init(filters: TransactionQuery, atOrBelow: Int64?, facets: Bool = false) {
        self.filters = filters
        self.atOrBelow = atOrBelow
        self.facets = facets
    }

    /// Whether this count makes `running` pointless: it is for other filters, so its answer
    /// would be dropped (`countsLoaded` shows only the filters on screen) — a search typed over
    /// stops counting the prefix before. A count for the same filters (new rows under a feed)
    /// does not: the one running still answers what is on screen.
    public func supersedes(_ running: CountRequest) -> Bool {
        !TransactionsScreen.sameFilters(filters, running.filters)
    }
}

/// What the store counted for a `CountRequest`.
public struct Counts: Sendable, Equatable {
    public var total: Int
    public var overdue: Int
    /// Matching rows with seq ≥ `atOrBelow` (nil when the request had none).
    public var above: Int?
    /// The filter panel's counts per value, when the request asked for them.
    public var facets: TransactionFacets?
    /// How long the store took to count them (what paces the next count under a feed).
    public var milliseconds: Int64
    /// When a transaction Pending now turns overdue: the overdue count (and an `:overdue`
    /// filter's rows) move then with no commit, so they are counted again then.
    public var overdueChangesAt: Timestamp?
    public init(total: Int, overdue: Int, above: Int?, facets: TransactionFacets? = nil, milliseconds: Int64 = 0, overdueChangesAt: Timestamp? = nil) {
        self.total = total
        self.overdue = overdue
        self.above = above
        self.facets = facets
        self.milliseconds = milliseconds
        self.overdueChangesAt = overdueChangesAt
    }
}

extension TransactionsScreen.State {
    /// The panel's counts per value ride along with the counts while it is open: asked when the
    /// panel opens or the filters change, then with every count under a feed (at most once a
    /// second, and paced by what a count costs, `countCostShare`) — never per frame. Kept counts
    /// answer them in ~0.2 ms at 10M rows (`tx_facet`); every 10 s, as before the table, left
    /// the panel's numbers behind the title's ("row 1 of 6 matching" beside "Pending 2").
    static let facetIntervalMilliseconds: Int64 = AppState.countIntervalMilliseconds

    func facetsDue(now: Timestamp) -> Bool {
        guard filters.isOpen else { return false }
        guard let at = lastFacetsAt, lastFacetFilters == TransactionFacets.base(of: query) else { return true }
        return now.millisecondsSince1970 - at.millisecondsSince1970 >= Self.facetIntervalMilliseconds
    }
}

extension AppState {
    /// The least time between two counts while the feed runs (a count at 10M rows costs ~0.4 s).
    static let countIntervalMilliseconds: Int64 = 1000
    /// A count that takes long waits that many times its own time before the next one under a
    /// feed: the counts of a status or a one-letter search on 10M rows (0.8–4.5 s) would
    /// otherwise keep a core busy for good. Filters changed are counted at once all the same.
    static let countCostShare: Int64 = 4

    func countInterval(_ t: TransactionsScreen.State) -> Int64 {
        max(Self.countIntervalMilliseconds, Self.countCostShare * t.lastCountMilliseconds)
    }

    /// Asks for the counts after anything that can move them. New filters or a new window are
    /// counted at once; arrivals at most once a second and one at a time — a change seen while a
    /// count runs is counted again when it returns (or at the next tick), never skipped.
    mutating func requestCounts(onlyIfChanged: Bool = false, now force: Bool = false) -> [Effect] {
        var t = transactions
        var request = t.countRequest(now: now)
        // The panel's counts per value ride along only when due (see `facetsDue`).
        request.facets = t.facetsDue(now: now)
        var withoutFacets = request
        withoutFacets.facets = t.lastCounted?.facets ?? false
        let changed = withoutFacets != t.lastCounted
        if onlyIfChanged && !changed && !(force && request.facets) { return [] }
        defer { transactions = t }
        t.countsStale = true
        if !changed && !(force && request.facets) {
            // A count lost to an error is not waited for forever.
            if t.countsInFlight != nil, let at = t.lastCountAt, now.millisecondsSince1970 - at.millisecondsSince1970 < 10_000 { return [] }
            if let at = t.lastCountAt, now.millisecondsSince1970 - at.millisecondsSince1970 < countInterval(t) { return [] }
        }
        t.countsStale = false
        t.countsInFlight = request
        t.lastCounted = request
        t.lastCountAt = now
        if request.facets {
            t.lastFacetsAt = now
            t.lastFacetFilters = TransactionFacets.base(of: request.filters)
        }
        return [.countTransactions(request)]
    }

    /// At a tick: the counts again when they moved with time alone (a Pending transaction
    /// turned overdue on a quiet log), or when a change was seen while they were throttled.
    mutating func countsAtTick() -> [Effect] {
        if let at = transactions.overdueChangesAt, now >= at {
            transactions.overdueChangesAt = nil
            transactions.countsStale = true
        }
        return transactions.countsStale ? requestCounts() : []
    }

    /// A count came back: shown if it is for what is on screen; asked again if things moved meanwhile.
    mutating func countsLoaded(_ request: CountRequest, _ counts: Counts) -> [Effect] {
        if transactions.countsInFlight == request { transactions.countsInFlight = nil }
        transactions.lastCountMilliseconds = counts.milliseconds
        var filters = transactions.query
        filters.now = request.filters.now
        if TransactionsScreen.sameFilters(request.filters, filters) {
            transactions.total = counts.total
            transactions.countedFilters = request.filters
            transactions.overdue = counts.overdue
            transactions.overdueChangesAt = counts.overdueChangesAt
            if let facets = counts.facets { transactions.filters.facets = facets }
            if let top = request.atOrBelow, transactions.window == .olderThan(top) {
                transactions.rowsAbove = counts.above
                transactions.rowsAboveWindow = transactions.window
            }
        }
        return transactions.countsStale ? requestCounts() : []
    }

    /// Copies `text` through the terminal (OSC 52), never with a control character in it, and
    /// says what happened as it is: the terminal may or may not honour it.
    mutating func copy(_ text: String, what: String) -> [Effect] {
        let clean = TerminalText.clipboardSafe(text)
        guard !clean.isEmpty else {
            say("nothing to copy: the \(what) is empty", error: true)
            return []
        }
        let note = clean == text ? "" : " (control characters removed)"
        say("\(what) \(clean) sent to the terminal's clipboard (OSC 52)\(note)")
        return [.copy(clean)]
    }

    /// Requests the page the transactions screen shows, remembering it (stale answers are dropped).
    mutating func loadPage() -> Effect {
        let query = transactions.pageQuery(now: now)
        transactions.lastRequested = query
        return .loadPage(query)
    }
}
