/// What a cell means; only the backend maps roles to colours (and `NO_COLOR` to bold/reverse).
public enum Role: UInt8, Sendable, CaseIterable, Hashable {
    case normal, muted, title, header, selected, accent, keyHint
    case statusPending, statusApproved, statusDeclined
    case flag, overdue, changed, warning, danger, error, production, success

    /// The letter used for this role in `Screens/` snapshots.
    public var code: Character {
        Array("nmthsakPADfocwdEXS")[Int(rawValue)]
    }
}

/// One terminal cell: a grapheme (or "" for the right half of a wide one) and its role.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var role: Role
    /// 2 for a wide grapheme's left half, 0 for its right half, 1 otherwise.
    public var width: UInt8

    public static let blank = Cell(text: " ", role: .normal, width: 1)

    public init(text: String, role: Role, width: UInt8) {
        self.text = text
        self.role = role
        self.width = width
    }
}

/// A cell position.
public struct Point: Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

public struct Size: Sendable, Equatable, Hashable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// An in-memory screen: every widget draws here, never to the terminal. The backend writes
/// only what changed since the previous canvas.
public struct Canvas: Sendable, Equatable {
    public let size: Size
    public private(set) var cells: [Cell]
    /// Where the terminal cursor is shown (a text field's caret); nil hides it.
    public var cursor: Point?

    public init(size: Size) {
        self.size = size
        cells = Array(repeating: .blank, count: max(0, size.width * size.height))
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * size.width + x]
    }

    /// Writes `text` at (x, y), sanitised (no control, C1 or format character survives) and
    /// clipped to `maxWidth` columns and the canvas. Returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: Role = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < size.height, x < size.width else { return 0 }
        let limit = min(maxWidth ?? Int.max, size.width - max(0, x))
        var column = x
        var used = 0
        let shown = TerminalText.sanitized(text)
        // A clipped edge drops a placeholder or caret form whole, as a cut does (half of one,
        // `⟨U+20`, reads as something else); only text that may hold one pays for finding them.
        if TerminalText.mayHoldWholePieces(shown) {
            for piece in TerminalText.pieces(shown) {
                if piece.count > 1, used + TerminalText.width(piece) > limit { break }
                for character in piece {
                    guard put(character, &column, &used, y: y, x: x, limit: limit, role: role) else { return used }
                }
            }
            return used
        }
        for character in shown {
            guard put(character, &column, &used, y: y, x: x, limit: limit, role: role) else { break }
        }
        return used
    }

    /// Writes one character at `column` unless it passes `limit` (false then).
    private mutating func put(_ character: Character, _ column: inout Int, _ used: inout Int, y: Int, x: Int, limit: Int, role: Role) -> Bool {
        let w = TerminalText.width(of: character)
        if w == 0 {
            // A lone combining mark joins the previous cell's grapheme.
            if column > x, column - 1 < size.width, column - 1 >= 0 {
                cells[y * size.width + column - 1].text.append(character)
            }
            return true
        }
        if used + w > limit { return false }
        if column >= 0 {
            set(column, y, Cell(text: String(character), role: role, width: UInt8(w)))
            if w == 2 { set(column + 1, y, Cell(text: "", role: role, width: 0)) }
        }
        column += w
        used += w
        return true
    }

    /// Sets one cell, never leaving half of a wide grapheme behind.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let index = y * size.width + x
        let old = cells[index]
        if old.width == 0, x > 0, cell.width != 0 { cells[index - 1] = Cell(text: " ", role: cells[index - 1].role, width: 1) }
        if old.width == 2, x + 1 < size.width, cell.width != 2 { cells[index + 1] = Cell(text: " ", role: cells[index + 1].role, width: 1) }
        cells[index] = cell
    }

    /// Fills a rectangle's cells with a role (spaces), e.g. a selected row's background.
    /// A rectangle partly or wholly off the canvas, or of no size, fills what is on it (nothing).
    public mutating func fill(x: Int, y: Int, width: Int, height: Int = 1, role: Role) {
        let top = max(0, y), bottom = min(size.height, y + height), left = max(0, x), right = min(size.width, x + width)
        guard top < bottom, left < right else { return }
        for row in top..<bottom {
            for column in left..<right {
                set(column, row, Cell(text: " ", role: role, width: 1))
            }
        }
    }

    /// Changes the role of existing cells (keeps their text).
    public mutating func paint(x: Int, y: Int, width: Int, role: Role) {
        let left = max(0, x), right = min(size.width, x + width)
        guard y >= 0, y < size.height, left < right else { return }
        for column in left..<right {
            cells[y * size.width + column].role = role
        }
    }

    /// A run of changed cells on one row with one role: what the backend writes at once.
    public struct Run: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var role: Role
        public var text: String
        public var columns: Int
    }

    /// The runs that differ from `previous` (everything when sizes differ).
    public func changes(since previous: Canvas?) -> [Run] {
        var runs: [Run] = []
        for y in 0..<size.height {
            var x = 0
            while x < size.width {
                let index = y * size.width + x
                let same = previous.map { $0.size == size && $0.cells[index] == cells[index] } ?? false
                if same || cells[index].width == 0 {
                    x += 1
                    continue
                }
                var run = Run(x: x, y: y, role: cells[index].role, text: "", columns: 0)
                while x < size.width {
                    let i = y * size.width + x
                    let cell = cells[i]
                    if cell.width == 0 { x += 1; continue }
                    let unchanged = previous.map { $0.size == size && $0.cells[i] == cell && (cell.width < 2 || $0.cells[i + 1] == cells[i + 1]) } ?? false
                    if unchanged || cell.role != run.role { break }
                    run.text += cell.text
                    run.columns += Int(cell.width)
                    x += Int(cell.width)
                }
                runs.append(run)
            }
        }
        return runs
    }

    /// Rows as text, for snapshots and tests (wide cells once, their right half skipped).
    public var rows: [String] {
        (0..<size.height).map { y in
            var line = ""
            for x in 0..<size.width where self[x, y].width != 0 { line += self[x, y].text }
            return line
        }
    }

    /// The snapshot format of `Screens/`: rows framed by `│` so trailing spaces survive, then
    /// per row the role runs (`c:role-code`) that are not `normal`.
    public var snapshot: String {
        var out = "┌" + String(repeating: "─", count: size.width) + "┐\n"
        for row in rows { out += "│" + row + "│\n" }
        out += "└" + String(repeating: "─", count: size.width) + "┘\n"
        for y in 0..<size.height {
            var runs: [String] = []
            var x = 0
            while x < size.width {
                let role = self[x, y].role
                let start = x
                while x < size.width && self[x, y].role == role { x += 1 }
                if role != .normal { runs.append("\(start)-\(x - 1):\(role.code)") }
            }
            if !runs.isEmpty { out += "\(y): " + runs.joined(separator: " ") + "\n" }
        }
        if let cursor { out += "cursor: \(cursor.x),\(cursor.y)\n" }
        return out
    }

    /// For a terminal whose locale is not UTF-8: every non-ASCII grapheme becomes its
    /// ASCII stand-in (`ASCIIFallback.swift`; the frame is drawn with `TerminalText.inASCII` first).
    public func asciiFallback() -> Canvas {
        var copy = self
        for index in copy.cells.indices {
            let cell = copy.cells[index]
            // The right half of a wide grapheme, and anything without a stand-in: `#`, never `?`
            // (a `?` reads as part of the data).
            if cell.width == 0 {
                copy.cells[index] = Cell(text: Self.unmappable, role: cell.role, width: 1)
                continue
            }
            guard !cell.text.unicodeScalars.allSatisfy(\.isASCII) else { continue }
            // An ASCII letter under combining marks keeps its letter (`e` + U+0301 was `#`).
            let base = cell.text.unicodeScalars.first.flatMap { $0.isASCII ? String($0) : nil }
            copy.cells[index] = Cell(text: Self.ascii[cell.text] ?? base ?? Self.unmappable, role: cell.role, width: 1)
        }
        return copy
    }
}
