/// A column of a table: its header, and what it does when the width runs out.
public struct TableColumn: Sendable, Equatable {
    public var title: String
    public var alignRight: Bool
    /// The narrowest it is cut to (with `…`) before anything is dropped; nil: never cut.
    public var minimum: Int?
    /// Dropped when the line is still too wide with the droppable columns at their minimums
    /// (before any column that is not droppable is cut).
    public var droppable: Bool
    /// Which gives way first among its kind: lower ranks are cut first, and dropped first.
    public var rank: Int

    public init(_ title: String, alignRight: Bool = false, minimum: Int? = nil, droppable: Bool = false, rank: Int = 0) {
        self.title = title
        self.alignRight = alignRight
        self.minimum = minimum
        self.droppable = droppable
        self.rank = rank
    }
}

/// Column specs drive both the header and the cells: one width per column, computed from the
/// contents, and cut or dropped in the columns' stated order only when a width is imposed (a
/// terminal). Without one (a pipe, a file) nothing is ever cut.
public struct TableLayout: Sendable, Equatable {
    public var columns: [TableColumn]
    /// nil where a column was dropped.
    public var widths: [Int?]

    /// The widths for `rows` of cells (unsanitised text is measured as it will be shown: pass
    /// it sanitised), within `available` columns when given.
    public init(_ columns: [TableColumn], rows: [[String]], available: Int?) {
        self.columns = columns
        var natural = columns.map { TerminalText.width($0.title) }
        for row in rows {
            for (index, cell) in row.enumerated() where index < natural.count {
                natural[index] = max(natural[index], TerminalText.width(cell))
            }
        }
        var widths: [Int?] = natural
        if let available {
            func total() -> Int {
                let shown = widths.compactMap { $0 }
                return shown.reduce(0, +) + max(0, shown.count - 1)
            }
            let order = columns.indices.sorted { (columns[$0].rank, $0) < (columns[$1].rank, $1) }
            func cut(_ index: Int) {
                guard total() > available, let minimum = columns[index].minimum, let width = widths[index], width > minimum else { return }
                widths[index] = max(minimum, width - (total() - available))
            }
            // The droppable columns cut to their minimums, then dropped, in order; only then
            // the others cut (an id is worth more than a user or an error code).
            for index in order where columns[index].droppable { cut(index) }
            for index in order where columns[index].droppable && total() > available { widths[index] = nil }
            for index in order where !columns[index].droppable { cut(index) }
        }
        self.widths = widths
    }

    /// A line of cells: each padded or cut to its column, dropped columns left out, trailing
    /// spaces removed.
    public func line(_ cells: [String]) -> String {
        var parts: [String] = []
        for (index, column) in columns.enumerated() {
            guard let width = widths[index] else { continue }
            parts.append(TerminalText.padded(index < cells.count ? cells[index] : "", to: width, alignRight: column.alignRight))
        }
        var text = parts.joined(separator: " ")
        while text.last == " " { text.removeLast() }
        return text
    }

    public var header: String { line(columns.map(\.title)) }
}
