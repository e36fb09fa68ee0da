import TerminalCanvas

/// One row of a screen's key table: the keys, the words shown in hints and help, and what it
/// does. The same table drives `reduce` and the hints line, so hints never drift.
public struct KeyBinding: Sendable {
    public let keys: [Key]
    public let label: String
    public let inHints: Bool
    let run: @Sendable (inout AppState) -> [Effect]

    init(_ keys: [Key], _ label: String, inHints: Bool = true, _ run: @escaping @Sendable (inout AppState) -> [Effect]) {
        self.keys = keys
        self.label = label
        self.inHints = inHints
        self.run = run
    }

    /// `j/k` style: the keys' labels joined.
    public var keysLabel: String { keys.map(\.label).joined(separator: "/") }
}

extension Array where Element == KeyBinding {
    /// Runs the binding for `key`; nil when the table does not have it.
    func handle(_ key: Key, in state: inout AppState) -> [Effect]? {
        guard let binding = first(where: { $0.keys.contains(key) }) else { return nil }
        return binding.run(&state)
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
