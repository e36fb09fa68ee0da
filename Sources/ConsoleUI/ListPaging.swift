/// The paging keys the cursor lists share — Events, Audit and the detail's timeline, each a
/// `PagedList` (the Transactions list has its own, by keyset windows scrolled under the cursor):
/// PgDn/Ctrl-F and PgUp/Ctrl-B move the cursor a screenful, Ctrl-D/Ctrl-U half of one, through
/// the list's move, which reads the next page past a page's end as `j`/`k` do. One table, so the
/// lists answer the same keys alike.
enum ListPaging {
    static func keys(screenful: @escaping @Sendable (AppState) -> Int,
                     move: @escaping @Sendable (inout AppState, Int) -> [Effect]) -> [KeyBinding] {
        let whole: @Sendable (AppState) -> Int = { max(1, screenful($0)) }
        let half: @Sendable (AppState) -> Int = { max(1, whole($0) / 2) }
        return [
            KeyBinding([.pageDown, .ctrl("f")], "page", inHints: false) { move(&$0, whole($0)) },
            KeyBinding([.pageUp, .ctrl("b")], "page up", inHints: false) { move(&$0, -whole($0)) },
            KeyBinding([.ctrl("d")], "half page", inHints: false) { move(&$0, half($0)) },
            KeyBinding([.ctrl("u")], "half page up", inHints: false) { move(&$0, -half($0)) },
        ]
    }
}
