import TerminalCanvas

/// Where a key or a command takes the console. Screens return it; `AppState.navigate` is the
/// one place that interprets it, so no screen writes another screen's state.
public enum Navigation: Sendable, Equatable {
    /// A screen of the route table, loading what it shows.
    case show(ScreenID)
    /// Help, remembering the screen it was opened from.
    case help
    /// Back: from help to where it was opened, from any other screen to the list.
    case back
    /// A transaction's detail, by id.
    case openDetail(String)
}

/// One way to a screen: its key, its tab, its palette commands and what help calls it.
public struct Route: Sendable, Equatable {
    public let screen: ScreenID
    public let key: Key
    /// The title on the tab line; nil for a screen without a tab (help).
    public let tab: String?
    /// The palette's words for it (the key's label is one too: `:3`, `:?`).
    public let commands: [String]
    public let label: String

    public var navigation: Navigation { screen == .help ? .help : .show(screen) }
}

/// The one route table: it drives the tab line, the number keys, the help screen's list and
/// the palette's screen commands (keys.md).
public enum Routes {
    public static let all: [Route] = [
        Route(screen: .transactions, key: .character("1"), tab: "Transactions", commands: ["tx", "transactions"], label: "transactions"),
        Route(screen: .config, key: .character("2"), tab: "Config", commands: ["config"], label: "config"),
        Route(screen: .events, key: .character("3"), tab: "Events", commands: ["events"], label: "events"),
        Route(screen: .audit, key: .character("4"), tab: "Audit", commands: ["audit"], label: "audit"),
        Route(screen: .help, key: .character("?"), tab: nil, commands: ["help"], label: "help"),
    ]

    /// The routes with a tab, in the tab line's order.
    public static var tabs: [Route] { all.filter { $0.tab != nil } }

    /// `1-4`: the tabs' keys, for the hints line.
    public static var tabKeys: String {
        guard let first = tabs.first, let last = tabs.last else { return "" }
        return first.key.label + "-" + last.key.label
    }

    /// The route a palette word names (case already folded), or nil.
    public static func route(command: String) -> Route? {
        all.first { $0.commands.contains(command) || $0.key.label == command }
    }

    /// The key bindings the routes give every screen (outside a text field). Help's key on
    /// help goes back, as its hint says (global keys come before the screen's own).
    static var bindings: [KeyBinding] {
        all.map { route in
            KeyBinding([route.key], route.label, inHints: route.screen == .help) { state in
                .go(route.screen == .help && state.screen == .help ? .back : route.navigation)
            }
        }
    }
}

extension AppState {
    /// Interprets a navigation intent: the one place a screen change writes state.
    public mutating func navigate(_ navigation: Navigation) -> [Effect] {
        switch navigation {
        case .show(let target): return show(target)
        case .help:
            if screen != .help { returnScreen = screen }
            screen = .help
            return []
        case .back:
            screen = screen == .help ? returnScreen : .transactions
            return []
        case .openDetail(let id):
            detail = TransactionDetailScreen.State()
            detail.requestedID = id
            screen = .detail
            return [.loadDetail(id, knownEventCount: nil)]
        }
    }
}
