/// A rectangle of cells: where a widget draws, computed by `Layout` instead of by hand.
public struct Rect: Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public init(_ size: Size) { self.init(x: 0, y: 0, width: size.width, height: size.height) }

    public var bottom: Int { y + height }
    public var right: Int { x + width }

    /// The rectangle with `dx` columns and `dy` rows taken off each side.
    public func inset(dx: Int = 0, dy: Int = 0) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }
}

/// How a split gives out its length: fixed lengths first, then minimums, then what is left to
/// the fills (equally, the first ones taking the remainder) — ratatui's constraints, condensed.
public enum Constraint: Sendable, Equatable {
    /// Exactly this many (fewer only when the whole has not that many).
    case length(Int)
    /// At least this many, more when there is room (shared like a fill).
    case min(Int)
    /// Whatever is left.
    case fill
}

public enum Layout {
    /// Rows from top to bottom.
    public static func vertical(_ area: Rect, _ constraints: [Constraint]) -> [Rect] {
        split(area.height, constraints).map { Rect(x: area.x, y: area.y + $0.start, width: area.width, height: $0.length) }
    }

    /// Columns from left to right.
    public static func horizontal(_ area: Rect, _ constraints: [Constraint]) -> [Rect] {
        split(area.width, constraints).map { Rect(x: area.x + $0.start, y: area.y, width: $0.length, height: area.height) }
    }

    static func split(_ total: Int, _ constraints: [Constraint]) -> [(start: Int, length: Int)] {
        var lengths = Array(repeating: 0, count: constraints.count)
        var left = max(0, total)
        // Fixed lengths, in order, as long as there is room.
        for (index, constraint) in constraints.enumerated() {
            if case .length(let n) = constraint {
                lengths[index] = min(max(0, n), left)
                left -= lengths[index]
            }
        }
        for (index, constraint) in constraints.enumerated() {
            if case .min(let n) = constraint {
                lengths[index] = min(max(0, n), left)
                left -= lengths[index]
            }
        }
        let growing = constraints.indices.filter { if case .length = constraints[$0] { false } else { true } }
        if !growing.isEmpty {
            let share = left / growing.count
            var remainder = left % growing.count
            for index in growing {
                lengths[index] += share + (remainder > 0 ? 1 : 0)
                if remainder > 0 { remainder -= 1 }
            }
        }
        var start = 0
        return lengths.map { length in
            defer { start += length }
            return (start, length)
        }
    }
}
