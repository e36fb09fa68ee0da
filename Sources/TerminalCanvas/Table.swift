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
    /// Columns it takes even when the values are narrower, so a live page does not shift its
    /// columns as values come and go.
    public var reserve: Int
    /// Cut in the middle (`665f1…12ab34cd`) rather than at the end: ids that share a prefix
    /// (Mozarto's start with their creation time and machine) differ at the end.
    public var cutsInTheMiddle: Bool
    /// A cell too long for the column starts earlier, in the room the cell before it left
    /// unused in its row (two spaces kept): a short value beside a wide column's long one
    /// leaves its note whole instead of cut with space to spare. Left-aligned columns only.
    public var spillsLeft: Bool

    public init(_ title: String, alignRight: Bool = false, minimum: Int? = nil, droppable: Bool = false, rank: Int = 0, reserve: Int = 0,
                cutsInTheMiddle: Bool = false, spillsLeft: Bool = false) {
        self.cutsInTheMiddle = cutsInTheMiddle
        self.spillsLeft = spillsLeft
        self.title = title
        self.alignRight = alignRight
        self.minimum = minimum
        self.droppable = droppable
        self.rank = rank
        self.reserve = reserve
    }
}

/// Column specs drive both the header and the cells: one width per column, computed from the
/// contents, and cut or dropped in the columns' stated order only when a width is imposed (a
/// terminal). Without one (a pipe, a file) nothing is ever cut.
public struct TableLayout: Sendable, Equatable {
    public var columns: [TableColumn]
    /// nil where a column was dropped.
    public var widths: [Int?]
    /// What each column needs to show every value whole.
    public var natural: [Int]

    /// The widths for `rows` of cells (unsanitised text is measured as it will be shown: pass
    /// it sanitised), within `available` columns when given.
    public init(_ columns: [TableColumn], rows: [[String]], available: Int?) {
        self.columns = columns
        var natural = columns.map { max(TerminalText.width($0.title), $0.reserve) }
        for row in rows {
            for (index, cell) in row.enumerated() where index < natural.count {
                natural[index] = max(natural[index], TerminalText.width(cell))
            }
        }
        self.natural = natural
        guard let available else {
            widths = natural
            return
        }
        let order = columns.indices.sorted { (columns[$0].rank, $0) < (columns[$1].rank, $1) }
        let droppable = order.filter { columns[$0].droppable }
        func total(_ widths: [Int?]) -> Int {
            let shown = widths.compactMap { $0 }
            return shown.reduce(0, +) + max(0, shown.count - 1)
        }
        func cut(_ widths: inout [Int?], _ indices: [Int]) {
            for index in indices {
                guard total(widths) > available, let minimum = columns[index].minimum, let width = widths[index], width > minimum else { continue }
                widths[index] = max(minimum, width - (total(widths) - available))
            }
        }
        // The droppable columns cut to their minimums, then dropped one by one in order — the
        // ones still shown getting back the room a drop frees — and only then the others cut
        // (an id is worth more than a user or an error code). A droppable column that cannot be
        // cut (no minimum) gives way before any after it in the order is cut: the empty FLAGS
        // column is dropped before the error code loses a character.
        var widths: [Int?] = natural
        for dropped in 0...droppable.count {
            widths = natural
            for index in droppable.prefix(dropped) { widths[index] = nil }
            cut(&widths, Array(droppable.dropFirst(dropped).prefix { columns[$0].minimum != nil }))
            if total(widths) <= available { break }
        }
        cut(&widths, order.filter { !columns[$0].droppable })
        self.widths = widths
    }

    /// Every column shown with every value whole.
    public var isWhole: Bool { widths.elementsEqual(natural.map(Optional.some)) }

    /// The table of the first variant (the fullest first: seconds shown, values long) whose
    /// layout is whole, else of the last: a table gives up detail before it cuts a value.
    public static func firstWhole<Variant, Row>(_ variants: [Variant], _ make: (Variant) -> (layout: TableLayout, rows: [Row]))
        -> (layout: TableLayout, rows: [Row]) {
        for variant in variants.dropLast() {
            let table = make(variant)
            if table.layout.isWhole { return table }
        }
        return make(variants[variants.count - 1])
    }

    /// The columns a line takes.
    public var totalWidth: Int {
        let shown = widths.compactMap { $0 }
        return shown.reduce(0, +) + max(0, shown.count - 1)
    }

    /// Where each column starts in a line (nil where dropped): what a widget drawing cells in
    /// their own roles needs.
    public var offsets: [Int?] {
        var x = 0
        return widths.map { width in
            guard let width else { return nil }
            defer { x += width + 1 }
            return x
        }
    }

    /// Whether the column titled `title` is shown.
    public func shows(_ title: String) -> Bool {
        columns.firstIndex { $0.title == title }.map { widths[$0] != nil } ?? false
    }

    /// A line of cells: each padded or cut to its column, dropped columns left out, trailing
    /// spaces removed.
    public func line(_ cells: [String]) -> String {
        var parts: [String] = []
        for (index, column) in columns.enumerated() {
            guard let width = widths[index] else { continue }
            parts.append(TerminalText.padded(index < cells.count ? cells[index] : "", to: width, alignRight: column.alignRight,
                                             cutInTheMiddle: column.cutsInTheMiddle))
        }
        var text = parts.joined(separator: " ")
        while text.last == " " { text.removeLast() }
        return text
    }

    public var header: String { line(columns.map(\.title)) }
}

extension Canvas {
    /// One row of a table at (x, y), each cell sanitised, then padded or cut to its column and
    /// drawn in its own role (or all in `rowRole`, a selected row); dropped columns left out.
    public mutating func tableRow(_ layout: TableLayout, _ cells: [(text: String, role: Role)], x: Int, y: Int, rowRole: Role? = nil) {
        let offsets = layout.offsets
        for (index, offset) in offsets.enumerated() {
            guard var offset, var width = layout.widths[index], index < cells.count else { continue }
            let column = layout.columns[index]
            let sanitized = TerminalText.sanitized(cells[index].text)
            if column.spillsLeft, !column.alignRight, TerminalText.width(sanitized) > width, index > 0,
               let before = offsets[index - 1], !layout.columns[index - 1].alignRight {
                // Where the cell before ends in this row, two spaces after it.
                let start = min(offset, before + TerminalText.width(TerminalText.sanitized(cells[index - 1].text)) + 2)
                width += offset - start
                offset = start
            }
            let text = TerminalText.padded(sanitized, to: width, alignRight: column.alignRight, cutInTheMiddle: column.cutsInTheMiddle)
            write(text, x: x + offset, y: y, role: rowRole ?? cells[index].role)
        }
    }
}
