// libFuzzer target: text written into the canvas (TerminalCanvas), compiled by `make fuzz`
// together with TerminalCanvas's sources in one module. An input is a canvas size, then drawing
// operations (write, fill, paint, box, wrapped) at rectangles and widths taken from its bytes,
// each with a text from its bytes (invalid UTF-8 becomes U+FFFD, as data from a file would).
// Invariants after every operation (a violation traps, and libFuzzer keeps the input):
// - no cell holds a C0, DEL, C1, bidi or other format character (nothing reaches the terminal
//   that could drive it);
// - every row's cells add up to the canvas's width: a wide cell is followed by its right half,
//   a right half (empty text) follows a wide cell, no wide cell in the last column; every other
//   cell's text measures what the cell says it takes;
// - a write returns the columns it used, never more than its limit or the room on the row, and
//   changes nothing outside its row and columns (but the other half of a wide cell it cut);
//   no operation changes a row outside its rectangle.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanvas(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = Input(bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    var canvas = Canvas(size: Size(width: 1 + Int(input.byte() % 100), height: 1 + Int(input.byte() % 8)))
    check(canvas)
    var operations = 0
    while !input.isEmpty && operations < 32 {
        operations += 1
        let before = canvas
        let width = canvas.size.width, height = canvas.size.height
        let x = input.coordinate(width), y = input.coordinate(height)
        let role = Role(rawValue: input.byte() % UInt8(Role.allCases.count))!
        switch input.byte() % 5 {
        case 0:
            let limit: Int? = input.byte() % 4 == 0 ? nil : input.coordinate(width)
            let text = input.text()
            let used = canvas.write(text, x: x, y: y, role: role, maxWidth: limit)
            require(used >= 0 && used <= max(0, limit ?? Int.max) && used <= max(0, width - max(0, x)), "write used \(used) columns at x \(x), limit \(String(describing: limit)), width \(width)")
            unchangedOutside(before, canvas, rows: y...y, columns: (x - 1)...(x + used), "write")
        case 1:
            let w = input.coordinate(width), h = input.coordinate(height)
            canvas.fill(x: x, y: y, width: w, height: h, role: role)
            if h > 0 { unchangedOutside(before, canvas, rows: y...(y + h - 1), columns: (x - 1)...(x + max(w, 0)), "fill") }
        case 2:
            let w = input.coordinate(width)
            canvas.paint(x: x, y: y, width: w, role: role)
            unchangedOutside(before, canvas, rows: y...y, columns: x...(x + max(w, 0)), "paint")
        case 3:
            let w = input.coordinate(width), h = input.coordinate(height)
            canvas.box(x: x, y: y, width: w, height: h, title: input.text(), role: role)
            if h > 0 { unchangedOutside(before, canvas, rows: y...(y + h - 1), columns: (x - 1)...(x + max(w, 0)), "box") }
        default:
            let w = input.coordinate(width), lines = Int(input.byte() % 6)
            let used = canvas.wrapped(input.text(), x: x, y: y, width: w, maxLines: lines, role: role)
            require(used >= 0 && used <= lines, "wrapped used \(used) lines of \(lines)")
            if used > 0 { unchangedOutside(before, canvas, rows: y...(y + used - 1), columns: (x - 1)...(x + max(w, 0)), "wrapped") }
            else { unchangedOutside(before, canvas, rows: y...y, columns: x...x, "wrapped nothing", strict: true) }
        }
        check(canvas)
    }
    return 0
}

/// Bytes read from the front; zeros once they run out.
struct Input {
    var bytes: [UInt8]
    var index = 0
    var isEmpty: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// A coordinate or length around a dimension: a few below 0 and past the end too.
    mutating func coordinate(_ dimension: Int) -> Int {
        Int(byte()) % (dimension + 8) - 3
    }

    /// A text of up to 63 bytes.
    mutating func text() -> String {
        let count = min(Int(byte() % 64), bytes.count - min(index, bytes.count))
        defer { index += count }
        return String(decoding: bytes[index..<(index + count)], as: UTF8.self)
    }
}

func check(_ canvas: Canvas) {
    let width = canvas.size.width
    for y in 0..<canvas.size.height {
        var total = 0
        for x in 0..<width {
            let cell = canvas[x, y]
            for scalar in cell.text.unicodeScalars {
                require(!TerminalText.needsReplacement(scalar), "a control or format character U+\(String(scalar.value, radix: 16)) in cell \(x),\(y)")
            }
            switch cell.width {
            case 2:
                require(x + 1 < width && canvas[x + 1, y].width == 0, "a wide cell at \(x),\(y) without its right half")
            case 0:
                require(x > 0 && canvas[x - 1, y].width == 2, "a right half at \(x),\(y) without its wide cell")
                require(cell.text.isEmpty, "a right half at \(x),\(y) holds text \(cell.text.unicodeScalars.map { String($0.value, radix: 16) })")
            case 1:
                break
            default:
                require(false, "a cell of width \(cell.width)")
            }
            if cell.width > 0 {
                require(TerminalText.width(cell.text) == Int(cell.width), "cell \(x),\(y) says \(cell.width) columns, its text \(cell.text.unicodeScalars.map { String($0.value, radix: 16) }) measures \(TerminalText.width(cell.text))")
            }
            total += Int(cell.width)
        }
        require(total == width, "row \(y) adds up to \(total) columns of \(width)")
    }
}

/// Every cell outside `rows` × `columns` is as it was.
func unchangedOutside(_ before: Canvas, _ after: Canvas, rows: ClosedRange<Int>, columns: ClosedRange<Int>, _ what: String, strict: Bool = false) {
    for y in 0..<after.size.height {
        for x in 0..<after.size.width {
            let inside = !strict && rows.contains(y) && columns.contains(x)
            if !inside { require(before[x, y] == after[x, y], "\(what) changed cell \(x),\(y) outside rows \(rows) columns \(columns)") }
        }
    }
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: " + message()) }
}
