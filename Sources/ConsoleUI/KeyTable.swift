import TerminalCanvas

/// One row of a screen's key table: the keys, the words shown in hints and help, and what it
/// does. The same table drives `reduce` and the hints line, so hints never drift.
public struct KeyBinding: Sendable {
    public let keys: [Key]
    public let label: String
    public let inHints: Bool
    let action: BindingAction

    /// What a key does: change the screen's own state (and ask for I/O), or possibly go
    /// somewhere — an intent the reducer interprets, so no screen writes another's state.
    enum BindingAction: Sendable {
        case run(@Sendable (inout AppState) -> [Effect])
        case step(@Sendable (inout AppState) -> Step)
    }

    init(_ keys: [Key], _ label: String, inHints: Bool = true, _ run: @escaping @Sendable (inout AppState) -> [Effect]) {
        self.keys = keys
        self.label = label
        self.inHints = inHints
        self.action = .run(run)
    }

    /// A key that may go somewhere: its screen's own change, or a navigation.
    init(_ keys: [Key], _ label: String, inHints: Bool = true, step: @escaping @Sendable (inout AppState) -> Step) {
        self.keys = keys
        self.label = label
        self.inHints = inHints
        self.action = .step(step)
    }

    /// A key that always goes to the same place.
    init(_ keys: [Key], _ label: String, inHints: Bool = true, goes navigation: Navigation) {
        self.init(keys, label, inHints: inHints) { _ in .go(navigation) }
    }

    /// `j/k` style: the keys' labels joined.
    public var keysLabel: String { keys.map(\.label).joined(separator: "/") }

    /// Where the key goes from `state`, when it goes somewhere (what the reducer would interpret).
    func navigation(from state: AppState) -> Navigation? {
        var copy = state
        if case .step(let step) = action, case .go(let navigation) = step(&copy) { return navigation }
        return nil
    }
}

/// What a key leads to: effects for its own screen's change, or a place to go.
enum Step: Sendable, Equatable {
    case effects([Effect])
    case go(Navigation)
}

extension Array where Element == KeyBinding {
    /// Runs the binding for `key`; nil when the table does not have it.
    func handle(_ key: Key, in state: inout AppState) -> [Effect]? {
        guard let binding = first(where: { $0.keys.contains(key) }) else { return nil }
        switch binding.action {
        case .run(let run): return run(&state)
        case .step(let step):
            switch step(&state) {
            case .effects(let effects): return effects
            case .go(let navigation): return state.navigate(navigation)
            }
        }
    }

    /// The hints line's text for these bindings.
    var hints: [(keys: String, label: String)] {
        filter(\.inHints).map { ($0.keys.prefix(2).map(\.label).joined(separator: "/"), $0.label) }
    }
}

/// A list selection moved by `delta`, kept inside `0..<count` (j/k on every list screen).
func stepped(_ index: Int, by delta: Int, count: Int) -> Int {
    max(0, min(count - 1, index + delta))
}

/// A scroll offset moved by `delta`, kept inside `0...limit` (the last offset that still fills
/// the view). An offset left beyond a limit that shrank (a taller terminal) counts from the limit,
/// so the first key back moves the view.
func scrolled(_ offset: Int, by delta: Int, limit: Int) -> Int {
    max(0, min(limit, min(offset, limit) + delta))
}

/// A y/n question's answers, said once for both its dialog and its key hints so the two cannot
/// differ: y does `yes`, n or Esc does `no`. The keys' reducers treat any key but y as n (the
/// safe side) except the few that never reach a question (Ctrl-C, Ctrl-L), so only n and Esc
/// are named.
struct Answers {
    /// What y does, as the hints say it: a verb first ("write", "reveal for 10 s").
    var yes: String
    /// What n and Esc do, the same way.
    var no = "cancel"
    /// The keys that answer yes (the quit question takes a second Ctrl-C too).
    var yesKeys = "y"

    var hints: [(keys: String, label: String)] { [(yesKeys, yes), ("n/Esc", no)] }

    /// The answers in one line, `y writes · n/Esc cancels` (a question on the status line);
    /// `detail` follows y's verb in the question only (` (version 4 → 5)`), not in the hints.
    func sentence(detail: String = "") -> String {
        "\(yesKeys) \(Self.says(yes))\(detail) · n/Esc \(Self.says(no))"
    }

    /// `lead` and the sentence wrapped to `width` for a dialog, "n/Esc cancels" never broken in two.
    func wrapped(after lead: String = "", detail: String = "", width: Int) -> [String] {
        let no = "n/Esc \(Self.says(no))"
        var lines = TerminalText.wrap(lead + "\(yesKeys) \(Self.says(yes))\(detail) ·", width: width)
        // Measured after wrap's sanitising; `no` is ours.
        if let last = lines.last, TerminalText.width(last) + 1 + TerminalText.width(no) <= width {
            lines[lines.count - 1] = last + " " + no
        } else {
            lines.append(no)
        }
        return lines
    }

    /// The first word in the third person: the verbs of these answers are regular (write → writes).
    static func says(_ phrase: String) -> String {
        guard let space = phrase.firstIndex(of: " ") else { return phrase + "s" }
        return phrase[..<space] + "s" + phrase[space...]
    }
}
