import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The raw views (the detail's and the Events screen's) at 80×24: the entry's fields whole, the
/// bytes as logged (a backslash once; only a highlighted escape stands for a byte that is not
/// text), scrolled by their own keys to the last line and no further.
@Suite struct RawViewTests {
    /// The text rows inside the raw view's frame (columns 3…76, rows 4…19 at 80×24).
    static func viewRows(_ state: AppState) -> [String] {
        state.render().rows[4..<20].map { String(Array($0).dropFirst(3).prefix(74)) }
    }

    /// Every line of the view once, in order: the top row at each offset down to the end, then
    /// the rest of the last screen.
    static func wholeText(_ state: inout AppState) -> String {
        var tops: [String] = []
        var rows = viewRows(state)
        for _ in 0..<500 {
            _ = state.reduce(.key(.character("j")))
            let next = viewRows(state)
            if next == rows { break }
            tops.append(rows[0])
            rows = next
        }
        return (tops + rows).joined(separator: "\n")
    }

    static func squeezed(_ text: String) -> String { String(text.filter { !$0.isWhitespace }) }

    static let longMessage = (1...300).map { "word\($0)" }.joined(separator: " ")

    /// The Events screen on a rejected line with a 3,000-character message and raw line.
    static func eventsState(raw: [UInt8], message: String = longMessage) -> AppState {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        _ = state.reduce(.rejectedLoaded([
            RejectedLine(id: 1, file: "/var/log/cleo/webhook-events.jsonl", line: 5_826, offset: 2_345_678, code: "INVALID_JSON",
                         message: message, raw: raw, rawLength: raw.count, at: Fixture.now),
        ], total: 1))
        return state
    }

    static let longRaw = Array(("{\"transaction_id\":\"t-1\",\"message\":\"" + (1...400).map { "b\($0)" }.joined(separator: " ") + "\",\"end\":\"LAST-BYTES\"}").utf8)

    @Test func theEventsRawViewHasTheRejectedLinesFieldsAndMessageWholeAndScrollsToItsEnd() {
        var state = Self.eventsState(raw: Self.longRaw)
        _ = state.reduce(.key(.enter))
        let hints = state.render().rows[23]
        #expect(hints.contains("j/↓ scroll") && hints.contains("PgDn") && hints.contains("G/End end"), "\(hints)")
        let opened = Self.viewRows(state).joined(separator: "\n")
        #expect(opened.contains("/var/log/cleo/webhook-events.jsonl") && opened.contains("5826, at byte 2,345,678") && opened.contains("INVALID_JSON"), "\(opened)")
        var copy = state
        let text = Self.wholeText(&copy)
        #expect(Self.squeezed(text).contains(Self.squeezed(Self.longMessage)), "the message whole")
        #expect(Self.squeezed(text).contains(Self.squeezed(String(decoding: Self.longRaw, as: UTF8.self))), "the raw line whole")
        // G: the end; j there keeps it; k moves back at once (the scroll stops at the last line).
        _ = state.reduce(.key(.character("G")))
        let end = Self.viewRows(state)
        #expect(end.joined().contains("\"end\":\"LAST-BYTES\"}"), "\(end)")
        #expect(state.render().rows[20].contains("of") && !state.render().rows[20].contains("more"), "\(state.render().rows[20])")
        _ = state.reduce(.key(.character("j")))
        #expect(Self.viewRows(state) == end)
        _ = state.reduce(.key(.character("k")))
        #expect(Self.viewRows(state) != end)
        #expect(Self.viewRows(state)[1] == end[0])
        _ = state.reduce(.key(.character("g")))
        let top = Self.viewRows(state)
        #expect(top.joined(separator: "\n") == opened)
        _ = state.reduce(.key(.pageDown))
        #expect(Self.viewRows(state)[0] == top[15], "a page keeps one line of the last")
    }

    @Test func theDetailsRawViewScrollsToItsEndToo() {
        var state = Fixture.state()
        _ = state.reduce(.key(.enter))
        var events = Fixture.events
        events[events.count - 1].raw = Self.longRaw
        _ = state.reduce(.detailLoaded(Fixture.rows[2], events, totalEvents: events.count))
        _ = state.reduce(.key(.character("G")))
        _ = state.reduce(.key(.character("r")))
        #expect(state.detail.showingRaw && state.detail.timeline.cursor == events.count - 1)
        #expect(!Self.viewRows(state).joined().contains("LAST-BYTES"))
        _ = state.reduce(.key(.end))
        #expect(Self.viewRows(state).joined().contains("\"end\":\"LAST-BYTES\"}"), "\(Self.viewRows(state))")
        #expect(state.render().rows[23].contains("j/↓ scroll"))
    }

    /// A log holding `line1\r\nline2` (backslashes, as JSON escapes them) shows it so: what is
    /// copied from the screen is what is in the log. A real control byte is still an escape, and
    /// marked: the two never look alike.
    @Test func aBackslashIsShownOnceAndOnlyRealControlBytesAreMarked() {
        let raw = Array("{\"m\":\"line1\\r\\nline2\",\"x\":\"a\\\\b\"}".utf8) + [0x1B, 0x0D]
        var state = Self.eventsState(raw: raw, message: "not strict JSON")
        _ = state.reduce(.key(.enter))
        let canvas = state.render()
        let rows = canvas.rows
        guard let y = rows.firstIndex(where: { $0.contains("{\"m\"") }) else {
            Issue.record("no raw line on screen: \(rows)")
            return
        }
        #expect(rows[y].contains("{\"m\":\"line1\\r\\nline2\",\"x\":\"a\\\\b\"}\\x1B\\r"), "\(rows[y])")
        #expect(rows.contains { $0.contains("Bytes as they are, except the highlighted escapes") }, "the legend says how bytes are shown")
        let line = Array(rows[y])
        guard let literal = line.indices.first(where: { String(line[$0...].prefix(9)) == "line1\\r\\n" }),
              let escape = line.indices.first(where: { String(line[$0...].prefix(6)) == "\\x1B\\r" }) else {
            Issue.record("\(rows[y])")
            return
        }
        #expect(canvas[literal + 5, y].role == .normal, "the log's own \\r is text")
        #expect((0..<6).allSatisfy { canvas[escape + $0, y].role == RawView.escapeRole }, "a real ESC and CR are marked")
    }

    @Test func piecesSayWhichIsAnEscape() {
        let raw: [UInt8] = Array("{\"m\":\"a\\".utf8) + [0x1B, 0x5B, 0x32, 0x4A, 0x0A, 0xFF, 0xC3] + Array("é\u{202E}\"}".utf8)
        let pieces = TerminalText.rawPieces(raw)
        #expect(pieces == [
            .init("{\"m\":\"a\\", isEscape: false), .init("\\x1B", isEscape: true), .init("[2J", isEscape: false), .init("\\n", isEscape: true),
            .init("\\xFF", isEscape: true), .init("\\xC3", isEscape: true), .init("é", isEscape: false), .init("\\u{202E}", isEscape: true),
            .init("\"}", isEscape: false),
        ])
    }
}
