import TerminalCanvas

/// What the reducer and the frame need of every screen: its key table, the keys it takes when
/// nothing global did, its body drawn, and what it loads when shown. A key that leaves the
/// screen returns a `Navigation` (the key table's `goes:`), which `AppState.navigate` carries out.
protocol Screen {
    /// The screen's own part of `AppState`: what its keys change (the frame's message aside);
    /// anything else they do is a `Navigation` or an `Effect`.
    associatedtype State: Sendable, Equatable
    static var state: WritableKeyPath<AppState, State> { get }
    static var id: ScreenID { get }
    static var keys: [KeyBinding] { get }
    static func reduce(_ key: Key, in state: inout AppState) -> [Effect]
    /// Draws the screen's body in `area` (the frame's body, from `Layout`): a screen never
    /// computes where the frame ends.
    static func render(_ state: AppState, into canvas: inout Canvas, in area: Rect)
    /// The hints line of the screen's current mode, from the table that handles its keys there
    /// (its own, a text field's, the raw view's).
    static func hints(_ state: AppState) -> [(keys: String, label: String)]
    /// The reads the screen needs when it is shown (the list's page, the config, a page of the trail).
    static func shown(_ state: inout AppState) -> [Effect]
}

extension TransactionsScreen: Screen {
    static var state: WritableKeyPath<AppState, State> { \.transactions }
    static var id: ScreenID { .transactions }
    static func shown(_ state: inout AppState) -> [Effect] { [state.loadPage()] }
    static func hints(_ state: AppState) -> [(keys: String, label: String)] {
        let t = state.transactions
        if t.search != nil { return TextField.hints(submit: "apply", cancel: "clear") }
        // A date typed in the panel: its keys are text, the panel's do not apply.
        if t.filters.editing != nil { return TextField.hints(submit: "apply", cancel: "cancel") }
        return t.filters.isOpen ? FilterPanel.keys.hints : keys.hints
    }
}

extension TransactionDetailScreen: Screen {
    static var state: WritableKeyPath<AppState, State> { \.detail }
    static var id: ScreenID { .detail }
    /// Opened on a transaction (`Navigation.openDetail`), which loads it.
    static func shown(_ state: inout AppState) -> [Effect] { [] }
    static func hints(_ state: AppState) -> [(keys: String, label: String)] {
        state.detail.showingRaw ? RawView.keys.hints : keys.hints
    }
}

extension ConfigScreen: Screen {
    static var state: WritableKeyPath<AppState, State> { \.config }
    static var id: ScreenID { .config }
    static func shown(_ state: inout AppState) -> [Effect] { [.loadConfig] }
    static func hints(_ state: AppState) -> [(keys: String, label: String)] {
        if state.config.editor != nil { return TextField.hints(submit: "accept", cancel: "cancel") }
        // An open question's hints are its answers (`AppState.openAnswers`), drawn by the frame.
        return hints(for: state)
    }
}

extension EventsScreen: Screen {
    static var state: WritableKeyPath<AppState, State> { \.events }
    static var id: ScreenID { .events }
    static func shown(_ state: inout AppState) -> [Effect] { reloadEffects(state) }
    static func hints(_ state: AppState) -> [(keys: String, label: String)] {
        state.events.showingRaw ? RawView.keys.hints : keys.hints
    }
}

extension AuditScreen: Screen {
    static var state: WritableKeyPath<AppState, State> { \.audit }
    static var id: ScreenID { .audit }
    static func shown(_ state: inout AppState) -> [Effect] { [reload(state)] }
    static func hints(_ state: AppState) -> [(keys: String, label: String)] {
        state.audit.search != nil ? TextField.hints(submit: "apply", cancel: "clear") : state.audit.showingEntry ? RawView.keys.hints : keys.hints
    }
}

extension HelpScreen: Screen {
    static var state: WritableKeyPath<AppState, State> { \.help }
    static var id: ScreenID { .help }
    static func shown(_ state: inout AppState) -> [Effect] { [] }
    static func hints(_ state: AppState) -> [(keys: String, label: String)] { keys.hints }
}

extension ScreenID {
    /// The screen behind the id.
    var screen: any Screen.Type {
        switch self {
        case .transactions: TransactionsScreen.self
        case .detail: TransactionDetailScreen.self
        case .config: ConfigScreen.self
        case .events: EventsScreen.self
        case .audit: AuditScreen.self
        case .help: HelpScreen.self
        }
    }
}
