import CleoDomain
import CleoIngest
import TerminalCanvas

/// The screens of keys.md.
public enum ScreenID: String, Sendable, CaseIterable {
    case transactions, detail, config, events, audit, help
}

/// Who is at the terminal and how times are shown: fixed at start, state like the rest.
public struct Session: Sendable, Equatable {
    public var environment: String
    public var user: String
    public var origin: String
    public var zoneName: String
    /// The operator's offset from UTC (seconds); fixed for the session so screens are pure.
    public var offsetSeconds: Int
    public var databasePath: String
    /// The user's role (roles.md), shown in the frame; what it may not do is refused with the reason.
    public var role: OperatorRole
    /// Why this console cannot write the database (a user who may only read it), or nil.
    public var readOnlyReason: String?
    /// A company token file is named (`CLEO_CONSOLE_TOKEN_FILE`): `t` on a key can send a test.
    public var hasCompanyToken: Bool

    public init(environment: String, user: String, origin: String, zoneName: String, offsetSeconds: Int, databasePath: String,
                role: OperatorRole = .admin, readOnlyReason: String? = nil, hasCompanyToken: Bool = false) {
        self.hasCompanyToken = hasCompanyToken
        self.role = role
        self.readOnlyReason = readOnlyReason
        self.environment = environment
        self.user = user
        self.origin = origin
        self.zoneName = zoneName
        self.offsetSeconds = offsetSeconds
        self.databasePath = databasePath
    }

    public var isProduction: Bool { environment == "production" }

    /// Why a config change may not be made here, or nil: the role first, then the database.
    public func refusal(toSet field: ConfigField) -> String? {
        if let reason = role.refusal(of: .set(field)) { return "\(user): \(reason)" }
        return readOnlyReason.map { "read-only: \($0)" }
    }

    /// Why a test send (`t`, `:cashier`) may not go, if it may not. roles.md is silent on it;
    /// cashier.md has support reproduce a customer's failure with it, so every role may send —
    /// the company token file is the gate (whoever may read it could post it anyway) — where the
    /// send can be recorded: the history is written before the answer is shown.
    public var sendRefusal: String? {
        readOnlyReason.map { "read-only: \($0); a test send is recorded in the history first, and this user may not write the database: nothing sent" }
    }
}

/// Every screen is a pure function of this value.
public struct AppState: Sendable, Equatable {
    public var session: Session
    public var size: Size
    public var now: Timestamp
    public var screen: ScreenID = .transactions
    /// Where `Esc` from help or detail returns.
    public var returnScreen: ScreenID = .transactions
    public var follower: FollowerSnapshot
    /// The receiver's state where a `serve` runs on this database (serve.md, "What the console shows").
    public var service: ServiceState?
    public var transactions = TransactionsScreen.State()
    public var detail = TransactionDetailScreen.State()
    public var config = ConfigScreen.State()
    public var events = EventsScreen.State()
    public var audit = AuditScreen.State()
    public var help = HelpScreen.State()
    /// The `:cashier` form, over whatever screen it was opened on.
    public var cashier = CashierFormScreen.State()
    /// The command palette (`:`), when open.
    public var palette: TextField?
    /// A one-line message on the status line, and until when.
    public var flash: Flash?
    /// `q` with unsaved edits asks first.
    public var confirmingQuit = false
    public var isRunning = true

    public struct Flash: Sendable, Equatable {
        public var text: String
        public var isError: Bool
        public var until: Timestamp
    }

    public init(session: Session, size: Size, now: Timestamp, eventsPath: String) {
        self.session = session
        self.size = size
        self.now = now
        self.follower = FollowerSnapshot(path: eventsPath)
    }

    /// What the runtime does first: the first page and the configuration.
    public mutating func startEffects() -> [Effect] {
        [loadPage(), .loadConfig] + requestCounts()
    }

    /// The smallest terminal the console draws in (keys.md: works at 80×24).
    public static let minimumSize = Size(width: 80, height: 24)
    public var isTooSmall: Bool { size.width < Self.minimumSize.width || size.height < Self.minimumSize.height }

    /// The frame: header, tabs, the screen's body, the status line, the key hints.
    public var frame: (header: Rect, tabs: Rect, body: Rect, status: Rect, hints: Rect) {
        let rows = Layout.vertical(Rect(size), [.length(1), .length(1), .min(1), .length(1), .length(1)])
        return (rows[0], rows[1], rows[2], rows[3], rows[4])
    }

    /// Rows the active screen has for its body (header, tabs, status and hints taken).
    public var bodyHeight: Int { max(1, frame.body.height) }

    mutating func say(_ text: String, error: Bool = false, seconds: Int64 = 4) {
        flash = Flash(text: text, isError: error, until: now.adding(milliseconds: seconds * 1000))
    }

    /// A text field has the focus: printable keys are text, global keys are off.
    public var textFieldHasFocus: Bool {
        palette != nil || cashier.editor != nil || cashier.typedConfirmation != nil || transactions.search != nil || transactions.filters.editing != nil || config.editor != nil || audit.search != nil
    }

    // MARK: - Reduce

    /// Applies one action; returns the I/O to perform. Global keys first, then the active screen.
    public mutating func reduce(_ action: Action) -> [Effect] {
        switch action {
        case .key(let key): return handleKey(key)
        case .resized(let size):
            self.size = size
            return TransactionsScreen.resized(&self)
        case .clockTicked(let now):
            self.now = now
            if let flash, flash.until < now { self.flash = nil }
            ConfigScreen.clockTicked(&self)
            transactions.expireMarks(now: now)
            return countsAtTick()
        case .pageLoaded(let page): return TransactionsScreen.pageLoaded(page, in: &self)
        case .countsLoaded(let request, let counts): return countsLoaded(request, counts)
        case .arrivalsCounted(let count):
            transactions.arrivedWhilePaused = count
            return []
        case .detailLoaded(let record, let events, let total):
            return TransactionDetailScreen.loaded(record, events, totalEvents: total, in: &self)
        case .timelineLoaded(let txSeq, let events, let total, let after, let window):
            return TransactionDetailScreen.timelineLoaded(txSeq: txSeq, events, total: total, after: after, window: window, in: &self)
        case .eventRawLoaded(let rowID, let raw):
            detail.timeline.updateRow(rowID) { $0.raw = raw }
            return []
        case .detailMissing(let id):
            detail.missing = id
            return []
        case .configLoaded(let stored): return ConfigScreen.loaded(stored, in: &self)
        case .configSaved(let stored, let proposed): return ConfigScreen.saved(stored, proposed: proposed, in: &self)
        case .configSaveFailed(let reason, let stored): return ConfigScreen.saveFailed(reason, stored, in: &self)
        case .lastTestsLoaded(let tests):
            config.lastTests = tests
            return []
        case .keyTested(let region, let result): return ConfigScreen.keyTested(region, result, in: &self)
        case .pendingLoaded(let changes):
            ConfigScreen.pendingLoaded(changes, in: &self)
            return []
        case .pendingDecided(let decision, let id, let result): return ConfigScreen.decided(decision, id: id, result, in: &self)
        case .secretRevealed(let field, let result): return ConfigScreen.revealed(field, result, in: &self)
        case .secretFingerprinted(let field, let value, let fingerprint, let unavailable):
            return ConfigScreen.fingerprinted(field, value: value, fingerprint, unavailable: unavailable, in: &self)
        case .cashierSent(let result): return CashierFormScreen.sent(result, in: &self)
        case .auditLoaded(let entries, let total):
            ConfigScreen.auditLoaded(entries, in: &self)
            return AuditScreen.pageLoaded(entries, total: total, above: 0, window: .newest, search: nil, in: &self)
        case .auditPageLoaded(let entries, let total, let above, let window, let search):
            return AuditScreen.pageLoaded(entries, total: total, above: above, window: window, search: search, in: &self)
        case .rejectedLoaded(let lines, let total, let above, let window):
            return EventsScreen.rejectedLoaded(lines, total: total, above: above, window: window, in: &self)
        case .refusedLoaded(let refusals, let total, let above, let window):
            return EventsScreen.refusedLoaded(refusals, total: total, above: above, window: window, in: &self)
        case .refusedBodyLoaded(let id, let body):
            events.refusedBodyID = id
            events.refusedBody = body
            return []
        case .followerChanged(let snapshot):
            follower = snapshot
            // Said once, in the snapshot that follows the first success after a fault.
            if let recovered = snapshot.recovered { say("follower " + TerminalText.sanitized(recovered), seconds: 8) }
            return []
        case .serviceStateRead(let state):
            service = state
            return []
        case .dataChanged(let change): return refreshEffects(after: change)
        case .exportFinished(let outcome): return TransactionsScreen.exportFinished(outcome, in: &self)
        case .failed(let message):
            say(message, error: true, seconds: 8)
            return []
        }
    }

    /// After a commit: reload what the active screen shows and the commit may have changed. Our
    /// follower writes transactions, events, rejected lines and its position only, and names the
    /// transactions it touched; another process may have changed anything.
    mutating func refreshEffects(after change: DataChange) -> [Effect] {
        var effects: [Effect] = requestCounts()
        if transactions.isPaused {
            if let since = transactions.pausedAfterSeq ?? transactions.newestSeq { effects.append(.countArrivals(after: since)) }
        } else {
            effects.append(loadPage())
        }
        switch screen {
        case .detail:
            if let id = detail.record?.id ?? detail.requestedID, change.mayHaveChanged(id) {
                // Unchanged since shown (same event count): the runner reads one row and stops.
                let known = detail.record.flatMap { $0.id.utf8.elementsEqual(id.utf8) ? $0.eventCount : nil }
                effects.append(.loadDetail(id, knownEventCount: known))
            }
        case .events: effects += EventsScreen.reloadEffects(self)
        case .audit where change == .foreign: effects.append(AuditScreen.reload(self))
        case .config where change == .foreign: effects.append(.loadConfig)
        default: break
        }
        return effects
    }

    mutating func handleKey(_ key: Key) -> [Effect] {
        // A revealed secret stays only until the next key (or 10 s).
        ConfigScreen.hideRevealed(&self)
        if key == .ctrl("l") { return [.repaint] }
        if confirmingQuit {
            confirmingQuit = false
            // y, or Ctrl-C a second time, quits.
            if key == .character("y") || key == .ctrl("c") { return quitNow() }
            say("quit cancelled: the unsaved config edits are kept")
            return []
        }
        // Ctrl-C asks like q when there are unsaved edits (or an editor holding text).
        if key == .ctrl("c") { return answerOpenQuestionNo() + quit() }
        if var field = palette {
            switch field.handle(key) {
            case .editing: palette = field
            case .cancelled: palette = nil
            case .submitted:
                palette = nil
                return Palette.run(field.text, in: &self)
            }
            return []
        }
        // The cashier form is modal: every key is its own until Esc closes it.
        if cashier.isOpen && !isTooSmall { return CashierFormScreen.reduce(key, in: &self) }
        if isTooSmall {
            // With a field open, q is not a reason to lose what it holds.
            if key == .character("q") && !textFieldHasFocus { return answerOpenQuestionNo() + quit() }
            return []
        }
        // A screen's own text field or dialog gets the key before anything global.
        if let effects = screenKeyWithFocus(key) { return effects }
        // A paste with no text field to take it is dropped whole: pasted letters are never keys.
        if case .paste = key {
            say("paste ignored: no text field has the focus (/ searches, Enter edits a field)", error: true)
            return []
        }
        if let effects = Self.globalKeys.handle(key, in: &self) { return effects }
        return screenKey(key)
    }

    /// Keys for a screen that is editing (text field or dialog): nothing global applies.
    mutating func screenKeyWithFocus(_ key: Key) -> [Effect]? {
        switch screen {
        case .transactions where transactions.confirmingExport != nil:
            return TransactionsScreen.reduceExportQuestion(key, in: &self)
        case .transactions where transactions.search != nil || transactions.filters.isOpen:
            return TransactionsScreen.reduce(key, in: &self)
        case .config where config.editor != nil || config.isAsking:
            return ConfigScreen.reduce(key, in: &self)
        case .audit where audit.search != nil:
            return AuditScreen.reduce(key, in: &self)
        case .detail where detail.showingRaw, .events where events.showingRaw, .audit where audit.showingEntry:
            if let effects = RawView.keys.handle(key, in: &self) { return effects }
            // The hints offer q, ?, : and 1-4 here: they close the view and do what they say.
            if Self.globalKeys.contains(where: { $0.keys.contains(key) }) {
                detail.showingRaw = false
                events.showingRaw = false
                audit.showingEntry = false
                return nil
            }
            return []
        default:
            return nil
        }
    }

    mutating func screenKey(_ key: Key) -> [Effect] {
        screen.screen.reduce(key, in: &self)
    }

    /// keys.md "Everywhere (outside a text field)": the routes' keys first (the route table).
    static let globalKeys: [KeyBinding] = Routes.bindings + [
        KeyBinding([.character(":")], "palette", inHints: false) { state in
            state.palette = TextField()
            return []
        },
        KeyBinding([.character("q")], "quit") { $0.quit() },
        KeyBinding([.ctrl("l")], "repaint", inHints: false) { _ in [.repaint] },
    ]

    /// Switches screens, loading what the new one shows (help remembers where it was opened).
    public mutating func show(_ target: ScreenID) -> [Effect] {
        if target == .help { return navigate(.help) }
        screen = target
        return target.screen.shown(&self)
    }

    /// One question at a time: before the quit question, an open y/n question is answered no,
    /// as n would answer it (also on the too-small screen, where keys reach no question).
    mutating func answerOpenQuestionNo() -> [Effect] {
        guard !confirmingQuit, openAnswers != nil else { return [] }
        if cashier.isOpen { return CashierFormScreen.reduce(.character("n"), in: &self) }
        return screenKeyWithFocus(.character("n")) ?? []
    }

    mutating func quit() -> [Effect] {
        if config.hasUnsavedEdits || !(config.editor?.text.isEmpty ?? true) {
            confirmingQuit = true
            return []
        }
        return quitNow()
    }

    mutating func quitNow() -> [Effect] {
        isRunning = false
        return [.quit]
    }
}
