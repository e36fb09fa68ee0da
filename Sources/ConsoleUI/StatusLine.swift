import TerminalCanvas

/// A one-row line of parts that gives way in a stated order when the width runs out: at each
/// turn, lowest first, the parts with a shorter form for that turn take it, then (if the line
/// is still too wide) the parts dropped at that turn go. A part with no `drop` stays (cut at
/// the edge only if nothing else is left to give).
struct StatusLine {
    struct Segment {
        var text: String
        var role: Role
        var drop: Int?
        /// Shorter forms, each from its turn on.
        var shorter: [(turn: Int, text: String)]
    }

    private(set) var segments: [Segment] = []

    mutating func add(_ text: String, role: Role, drop: Int?, shorter: [(turn: Int, text: String)] = []) {
        segments.append(Segment(text: text, role: role, drop: drop, shorter: shorter))
    }

    var width: Int { segments.reduce(0) { $0 + TerminalText.width($1.text) } }

    /// The parts that fit in `columns`.
    func fitted(to columns: Int) -> [Segment] {
        var line = self
        let turns = Set(segments.compactMap(\.drop) + segments.flatMap { $0.shorter.map(\.turn) }).sorted()
        for turn in turns where line.width > columns {
            for index in line.segments.indices {
                if let short = line.segments[index].shorter.first(where: { $0.turn == turn }) { line.segments[index].text = short.text }
            }
            if line.width > columns { line.segments.removeAll { $0.drop == turn } }
        }
        return line.segments
    }
}
