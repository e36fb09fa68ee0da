import CleoDomain

/// A row of a list paged by keyset on a growing row id (rejected lines, refused deliveries,
/// audit entries, a transaction's events).
public protocol KeysetRow: Sendable, Equatable {
    var keysetID: Int64 { get }
}

/// A move of a list's cursor, as the keys ask it.
public enum ListMove: Sendable, Equatable {
    /// `n` rows down (negative: up): j/k, PgDn/PgUp, Ctrl-D/U.
    case by(Int)
    /// g / G: the first and last row of the whole list.
    case first, last
}

/// Where the cursor lands on a page being read: `offset` rows from its first row, from its
/// last row, or from a row found by id (a move's target found again on another page).
public struct ListLanding: Sendable, Equatable {
    public enum Anchor: Sendable, Equatable { case first, last, row(Int64) }
    public var anchor: Anchor
    public var offset: Int
    public init(_ anchor: Anchor, _ offset: Int = 0) {
        self.anchor = anchor
        self.offset = offset
    }

    /// A landing by index as the screens' jumps give it (`Int.max`: the last row).
    public init(index: Int) {
        self = index == Int.max ? ListLanding(.last) : ListLanding(.first, index)
    }
}

/// One page of a list too long to hold whole, and the cursor on it: which page (keyset window),
/// its rows in screen order, the cursor, how many rows the list has and how many are newer than
/// the page, and the page being read with where the cursor lands on it. Pure: the decisions
/// return the window to read (`RowWindow?`), which the screen turns into its effect.
public struct PagedList<Row: KeysetRow>: Sendable, Equatable {
    /// Which end of the screen the newest rows are at: the top (newest first) or the bottom
    /// (log order, the timeline).
    public enum Home: Sendable, Equatable { case top, bottom }

    /// A page asked for and not answered yet.
    public struct Request: Sendable, Equatable {
        public var window: RowWindow
        public var landing: ListLanding
        /// The page next to the rows held (down or up from them): a move made while it is read
        /// counts from the rows held, so moving back onto them needs no page at all.
        public var adjoinsHeld: Bool
    }

    public let home: Home
    public let pageLimit: Int
    /// At the home window with the cursor on the home row, new rows take the cursor with them
    /// (the Events and Audit lists follow their newest row; the timeline stays on its event).
    public let followsHome: Bool
    /// The page held, in screen order.
    public private(set) var rows: [Row] = []
    /// The window of the page held: `.newest` while it holds the newest rows, else anchored at
    /// its newest row (`.olderThan(newest + 1)`), so a reload shows the same rows.
    public private(set) var window = RowWindow.newest
    /// The cursor's row among `rows` (set directly only by tests placing it).
    public internal(set) var cursor = 0
    /// Rows in the whole list, and how many of them are newer than the page.
    public private(set) var total = 0
    public private(set) var newer = 0
    public private(set) var request: Request?

    public init(home: Home, pageLimit: Int, followsHome: Bool) {
        self.home = home
        self.pageLimit = max(1, pageLimit)
        self.followsHome = followsHome
    }

    // MARK: - What it holds

    /// What a reload asks for: the page being read, else the page held.
    public var requestedWindow: RowWindow { request?.window ?? window }
    public var selected: Row? { rows.indices.contains(cursor) ? rows[cursor] : nil }
    /// Rows older than the page: counted, never guessed from a full page (a list of exactly one
    /// page has none).
    public var older: Int { max(0, total - newer - rows.count) }
    /// Rows above and below the page on screen.
    public var rowsBefore: Int { home == .top ? newer : older }
    public var rowsAfter: Int { home == .top ? older : newer }

    // MARK: - Moves

    /// The cursor moves; past the page's ends the next page is read (returned). A move made while
    /// a page is read goes on from where the cursor is going, not from where it was.
    public mutating func apply(_ step: ListMove) -> RowWindow? {
        switch step {
        case .by(let delta): return move(by: delta)
        case .first: return first()
        case .last: return last()
        }
    }

    public mutating func move(by delta: Int) -> RowWindow? {
        guard let request else { return go(to: cursor + delta) }
        guard request.adjoinsHeld else {
            // A page far from the rows held (g, G, a page read again): the landing moves with it,
            // never beyond the list's own first or last row.
            var landing = request.landing
            landing.offset += delta
            if request.window == firstWindow, landing.anchor == .first { landing.offset = max(0, landing.offset) }
            if request.window == lastWindow, landing.anchor == .last { landing.offset = min(0, landing.offset) }
            self.request?.landing = landing
            return request.window
        }
        return go(to: heldIndex(request.landing) + delta)
    }

    /// The list's first row: on the page held when nothing is above it, else the first page.
    public mutating func first() -> RowWindow? {
        guard rowsBefore > 0 else { return go(to: 0) }
        return read(firstWindow, landing: ListLanding(.first))
    }

    /// The list's last row.
    public mutating func last() -> RowWindow? {
        guard rowsAfter > 0 else { return go(to: rows.count - 1) }
        return read(lastWindow, landing: ListLanding(.last))
    }

    /// The pages that start and end the whole list on screen.
    var firstWindow: RowWindow { home == .top ? .newest : .oldest }
    var lastWindow: RowWindow { home == .top ? .oldest : .newest }

    /// Reads `window`, the cursor landing there (a search or a jump starting the list afresh).
    @discardableResult
    public mutating func read(_ window: RowWindow, landing: ListLanding) -> RowWindow {
        request = Request(window: window, landing: landing, adjoinsHeld: false)
        return window
    }

    /// The cursor to `target`, counted on the rows held: past their ends (when rows are there)
    /// the adjoining page is read; else it stops on the end row.
    mutating func go(to target: Int) -> RowWindow? {
        if target >= rows.count, rowsAfter > 0, let last = rows.last {
            let window: RowWindow = home == .top ? .olderThan(last.keysetID) : .newerThan(last.keysetID)
            request = Request(window: window, landing: ListLanding(.first, target - rows.count), adjoinsHeld: true)
            return window
        }
        if target < 0, rowsBefore > 0, let first = rows.first {
            let window: RowWindow = home == .top ? .newerThan(first.keysetID) : .olderThan(first.keysetID)
            request = Request(window: window, landing: ListLanding(.last, target + 1), adjoinsHeld: true)
            return window
        }
        request = nil
        cursor = max(0, min(rows.count - 1, target))
        return nil
    }

    /// Where a landing on a page adjoining the held rows is, counted on the held rows (the page
    /// below starts at `rows.count`, the page above ends at -1).
    func heldIndex(_ landing: ListLanding) -> Int {
        switch landing.anchor {
        case .first: rows.count + landing.offset
        case .last: -1 + landing.offset
        case .row: cursor + landing.offset
        }
    }

    // MARK: - Answers

    /// A page came back (or a reload of the page held): dropped when it answers an older
    /// request; else placed, the cursor where the move asked (a move past this page too asks
    /// the next one, returned), on the row it was on, or on the home row while following.
    public mutating func receive(_ page: [Row], total: Int, newer: Int, window answered: RowWindow) -> RowWindow? {
        guard answered == requestedWindow else { return nil }
        if case .newerThan = answered, page.count < pageLimit {
            // Nothing newer past this short page: the newest page instead, on the row the move
            // was going to (or the row the cursor is on).
            let target = request.map { index($0.landing, on: page) }.map { max(0, min(page.count - 1, $0)) }
            let key = target.flatMap { page.indices.contains($0) ? page[$0].keysetID : nil } ?? selected?.keysetID
            return read(.newest, landing: key.map { ListLanding(.row($0)) } ?? ListLanding(.first))
        }
        if page.isEmpty, !rows.isEmpty, case .olderThan = answered {
            // Nothing older after all (rows went away): the rows held stay, on their oldest row.
            request = nil
            cursor = home == .top ? rows.count - 1 : 0
            return nil
        }
        let kept = selected?.keysetID
        let following = followsHome && request == nil && window == .newest && cursor == homeIndex
        rows = page
        self.total = total
        self.newer = newer
        let newest = home == .top ? page.first : page.last
        if newer == 0 {
            window = .newest
        } else if let newest {
            window = .olderThan(newest.keysetID + 1)
        } else {
            window = answered
        }
        if let landing = request?.landing {
            request = nil
            let target = index(landing, on: page)
            cursor = max(0, min(page.count - 1, target))
            return go(to: target)
        }
        if following {
            cursor = homeIndex
        } else if let kept, let index = page.firstIndex(where: { $0.keysetID == kept }) {
            cursor = index
        }
        cursor = max(0, min(page.count - 1, cursor))
        return nil
    }

    /// New rows arrived on the home side of a page held away from home: the page stays where it
    /// is (they come after it), its counts move.
    public mutating func recount(total: Int) {
        let older = self.older
        self.total = total
        newer = max(0, total - rows.count - older)
    }

    /// A row held changed in place (its raw line read for the raw view).
    public mutating func updateRow(_ key: Int64, _ change: (inout Row) -> Void) {
        guard let index = rows.firstIndex(where: { $0.keysetID == key }) else { return }
        change(&rows[index])
    }

    /// The home row: the newest on screen.
    var homeIndex: Int { home == .top ? 0 : max(0, rows.count - 1) }

    func index(_ landing: ListLanding, on page: [Row]) -> Int {
        switch landing.anchor {
        case .first: landing.offset
        case .last: page.count - 1 + landing.offset
        case .row(let key): (page.firstIndex { $0.keysetID == key } ?? 0) + landing.offset
        }
    }
}

extension RejectedLine: KeysetRow { public var keysetID: Int64 { id } }
extension RefusedDelivery: KeysetRow { public var keysetID: Int64 { id } }
extension AuditEntry: KeysetRow { public var keysetID: Int64 { id } }
extension EventRecord: KeysetRow { public var keysetID: Int64 { rowID } }
