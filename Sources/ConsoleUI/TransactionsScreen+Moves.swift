import CleoDomain

// The list's moves: j/k, PgDn/PgUp, Ctrl-D/U, g/G and a resize — keyset windows of `pageSize`
// rows scrolled under the cursor, and the moves made while a move's page is read.
extension TransactionsScreen {
    /// The list read afresh at `window` (g, G, a search, new filters): the moves waiting on the
    /// page read before are superseded; a resize waiting on it applies now.
    static func restart(_ state: inout AppState, at window: TransactionQuery.Cursor, select: State.PendingSelection?) -> [Effect] {
        if state.transactions.deferredMoves.contains(.resize) { state.transactions.pageSize = pageSize(state) }
        state.transactions.deferredMoves = []
        state.transactions.window = window
        state.transactions.pendingSelection = select
        return [state.loadPage()]
    }

    /// The rows a page holds: the body less the title and the header.
    static func pageSize(_ state: AppState) -> Int { max(1, state.bodyHeight - 2) }

    /// `j`/`k` (`n`/`N` in a search): the cursor a row; past an edge the rows scroll by one under it.
    static func move(_ state: inout AppState, by delta: Int, onlyWhenSearching: Bool = false) -> [Effect] {
        if onlyWhenSearching && state.transactions.query.search == nil {
            state.say("n / N move between the matches of a search: / starts one", error: true)
            return []
        }
        let t = state.transactions
        guard !t.rows.isEmpty else { return [] }
        let index = t.selectedIndex ?? 0
        let target = index + delta
        if t.isMoving {
            if t.deferredMoves.isEmpty, let effects = extendMoveRead(&state, target: target) { return effects }
            return waitForPage(&state, then: .rows(delta))
        }
        if target >= 0 && target < t.rows.count {
            state.transactions.select(t.rows[target])
            // Back on the newest row: follow new rows again.
            if target == 0, let newest = t.newestSeq, t.rows[0].seq >= newest, !t.isPaused {
                state.transactions.window = .newest
                return [state.loadPage()]
            }
            state.transactions.anchorIfNeeded()
            return []
        }
        // Past an edge the rows scroll by one under the cursor (a whole page flipped before,
        // moving the cursor from the last screen row to the first).
        if target >= t.rows.count, t.rows.count == t.pageSize, let first = t.rows.first, (rowsBelowPage(t) ?? 1) > 0 {
            pageDown(&state, after: first, select: .index(t.rows.count - 1))
            return [state.loadPage()]
        }
        if target < 0, t.window != .newest, let first = t.rows.first {
            state.transactions.window = .newerThan(first.seq)
            state.transactions.pendingSelection = .rowsAbove(-target)
            return [state.loadPage()]
        }
        return []
    }

    /// `j`/`k` past an edge again before the page of the move before has answered (a held key,
    /// a burst the loop reduces at once), taken on at once where the rows held say how: nil
    /// when they cannot (the move then waits for that page, `deferredMoves`).
    static func extendMoveRead(_ state: inout AppState, target: Int) -> [Effect]? {
        let t = state.transactions
        // Past the end: the asked window's first row is still in the stale page, and the scroll
        // goes on from there (each such move was lost, scrolling again from the stale page's top).
        if target >= t.rows.count, t.pendingWindowStart > 0 {
            let start = t.pendingWindowStart - 1
            var next = min(t.rows.count - 1, start + target - (t.rows.count - 1))
            // Never further than a full page before the end, when the rows below are known (a
            // burst ran onto an empty page that said "No transactions yet").
            if let below = rowsBelowPage(t) { next = min(next, t.rows.count - 1 + below - t.pageSize) }
            guard next > start else { return nil }
            pageDown(&state, after: t.rows[next], select: .index(t.rows.count - 1))
            return [state.loadPage()]
        }
        guard target < 0, t.window != .newest, let first = t.rows.first else { return nil }
        // Above the top again before the page above answered: further up, not lost.
        if case .rowsAbove(let n)? = t.pendingSelection, t.window == .newerThan(first.seq) {
            state.transactions.pendingSelection = .rowsAbove(n - target)
            return []
        }
        // Between the two answers of a move up (the row above found, its window not read yet):
        // on up from that row, not again from the stale page's top.
        if case .row(_, let seq)? = t.pendingSelection, t.window == .olderThan(seq + 1) {
            state.transactions.window = .newerThan(seq)
            state.transactions.pendingSelection = .rowsAbove(-target)
            return [state.loadPage()]
        }
        return nil
    }

    /// How many rows follow the page held, when the count and the rows above are known for the
    /// filters on screen.
    static func rowsBelowPage(_ t: State) -> Int? {
        guard t.isCounted, t.rowsCurrent, let above = t.rowsAboveOfCurrentWindow else { return nil }
        return max(0, t.total - (above - t.pendingWindowStart) - t.rows.count)
    }

    /// The window down from right after `last` (a row of this page): the rows above it are known
    /// exactly — counted from where the current window starts, which is past the held page's
    /// top while an earlier scroll's page has not answered.
    static func pageDown(_ state: inout AppState, after last: TransactionRecord, select: State.PendingSelection) {
        let t = state.transactions
        let window = TransactionQuery.Cursor.olderThan(last.seq)
        let passed = (t.rows.firstIndex { $0.seq == last.seq } ?? t.rows.count - 1) + 1 - t.pendingWindowStart
        if let position = t.rowsAboveOfCurrentWindow { state.transactions.rowsAbove = position + passed } else { state.transactions.rowsAbove = nil }
        state.transactions.rowsAboveWindow = window
        state.transactions.window = window
        state.transactions.pendingSelection = select
    }

    static func page(_ state: inout AppState, forward: Bool) -> [Effect] {
        let t = state.transactions
        if t.isMoving { return waitForPage(&state, then: .page(forward: forward)) }
        if forward {
            guard let last = t.rows.last, t.rows.count == t.pageSize else {
                if let last = t.rows.last { state.transactions.select(last) }
                state.transactions.anchorIfNeeded()
                return []
            }
            // A page on: the cursor keeps its screen row, so every row moved past is one page.
            pageDown(&state, after: last, select: .index(t.selectedIndex ?? 0))
            return [state.loadPage()]
        }
        guard t.window != .newest, let first = t.rows.first else {
            if let first = t.rows.first { state.transactions.select(first) }
            return []
        }
        state.transactions.window = .newerThan(first.seq)
        state.transactions.pendingSelection = .index(t.selectedIndex ?? 0)
        return [state.loadPage()]
    }

    /// `Ctrl-D` / `Ctrl-U`: the cursor moves half a page; past the page's edge the rows scroll
    /// by half a page under it instead.
    static func halfPage(_ state: inout AppState, forward: Bool) -> [Effect] {
        let t = state.transactions
        if t.isMoving { return waitForPage(&state, then: .halfPage(forward: forward)) }
        guard !t.rows.isEmpty else { return [] }
        let half = max(1, t.pageSize / 2)
        let index = t.selectedIndex ?? 0
        if forward {
            if index + half < t.rows.count, t.rows.count < t.pageSize || index + half < t.pageSize - half || index < half {
                return move(&state, by: half)
            }
            guard t.rows.count == t.pageSize else { return move(&state, by: t.rows.count - 1 - index) }
            // Scroll: the window starts half a page further down, the cursor keeps its screen row.
            pageDown(&state, after: t.rows[half - 1], select: .index(index))
            return [state.loadPage()]
        }
        if index - half >= 0 { return move(&state, by: -half) }
        guard t.window != .newest, let first = t.rows.first else { return move(&state, by: -index) }
        state.transactions.window = .newerThan(first.seq)
        state.transactions.pendingSelection = .index(max(0, t.pageSize - (half - index)))
        return [state.loadPage()]
    }

    static func resized(_ state: inout AppState) -> [Effect] {
        let size = pageSize(state)
        guard size != state.transactions.pageSize else { return [] }
        if state.transactions.isMoving {
            if !state.transactions.deferredMoves.contains(.resize) { state.transactions.deferredMoves.append(.resize) }
            return []
        }
        state.transactions.pageSize = size
        return [state.loadPage()]
    }

    /// A move made while a move's page is read waits for that page. The page is asked again (the
    /// runner reads only the latest request), so a read that failed is not waited on for good.
    static func waitForPage(_ state: inout AppState, then move: State.DeferredMove) -> [Effect] {
        state.transactions.deferredMoves.append(move)
        return [state.loadPage()]
    }

    /// The moves made while the page just placed was read, in order, each from where the one
    /// before left the cursor; one that reads a page (or a resize) leaves the rest to wait for it.
    static func replayDeferredMoves(_ state: inout AppState) -> [Effect] {
        var waiting = state.transactions.deferredMoves[...]
        state.transactions.deferredMoves = []
        var effects: [Effect] = []
        while let next = waiting.popFirst() {
            switch next {
            case .rows(let delta): effects += move(&state, by: delta)
            case .page(let forward): effects += page(&state, forward: forward)
            case .halfPage(let forward): effects += halfPage(&state, forward: forward)
            case .resize: effects += resized(&state)
            }
            if state.transactions.pendingSelection != nil || next == .resize { break }
        }
        state.transactions.deferredMoves = Array(waiting) + state.transactions.deferredMoves
        return effects
    }
}
