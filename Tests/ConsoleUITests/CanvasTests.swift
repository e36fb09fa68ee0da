@testable import TerminalCanvas
import Testing

@Suite struct CanvasTests {
    /// Found by `make fuzz` (Fuzz/CanvasFuzz.swift): a fill below the last row (a screen's panel
    /// on a terminal shrunk to a few rows) trapped on `5..<2`, and so did a paint right of the
    /// last column or of a negative width: the console died instead of drawing less.
    @Test func fillsAndPaintsOffTheCanvasOrOfNoSizeDrawNothing() {
        var canvas = Canvas(size: Size(width: 32, height: 3))
        canvas.write("abc", x: 0, y: 2)
        let before = canvas
        canvas.fill(x: 0, y: 5, width: 3, height: 2, role: .selected)
        canvas.fill(x: 40, y: 0, width: 3, height: 2, role: .selected)
        canvas.fill(x: 0, y: 0, width: -3, height: 2, role: .selected)
        canvas.fill(x: 0, y: 0, width: 3, height: -1, role: .selected)
        canvas.paint(x: 40, y: 0, width: 3, role: .selected)
        canvas.paint(x: 2, y: 2, width: -5, role: .selected)
        #expect(canvas == before)
        canvas.fill(x: 30, y: 2, width: 9, height: 9, role: .selected)
        #expect(canvas[31, 2].role == .selected && canvas[29, 2].role == .normal)
    }

    @Test func noControlOrFormatCharacterReachesACell() {
        var canvas = Canvas(size: Size(width: 60, height: 1))
        canvas.write("a\u{1B}]0;title\u{07}b\u{9B}31m\u{202E}c\u{200B}d\u{7F}\u{2028}", x: 0, y: 0)
        let text = canvas.rows[0]
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.properties.generalCategory == .format })
        #expect(text.hasPrefix("a␛]0;title␇b⟨U+009B⟩31m⟨U+202E⟩c⟨U+200B⟩d␡⟨U+2028⟩"))
    }

    /// A clipped edge (a width the caller did not cut to, the canvas's right side) drops a
    /// placeholder whole: `ab⟨U+20` would read as other text.
    @Test func aClippedEdgeNeverSplitsAPlaceholder() {
        var canvas = Canvas(size: Size(width: 12, height: 2))
        #expect(canvas.write("ab\u{202E}cd", x: 0, y: 0, maxWidth: 6) == 2)
        #expect(canvas.rows[0] == "ab          ")
        #expect(canvas.write("abcdefgh\u{2066}", x: 0, y: 1) == 8)
        #expect(canvas.rows[1] == "abcdefgh    ")
        #expect(canvas.write("ok\u{200B}", x: 2, y: 1) == 10)
        #expect(canvas.rows[1] == "abok⟨U+200B⟩")
    }

    @Test func wideCharactersTakeTwoColumnsAndAreNeverSplit() {
        var canvas = Canvas(size: Size(width: 10, height: 1))
        #expect(canvas.write("日本語", x: 0, y: 0) == 6)
        #expect(canvas[1, 0].width == 0)
        #expect(TerminalText.width("Perú Ñandú") == 10)
        #expect(TerminalText.width("🦤") == 2)
        #expect(TerminalText.width("e\u{301}") == 1)
        // a wide character that does not fit is left out, not cut in half
        var narrow = Canvas(size: Size(width: 5, height: 1))
        #expect(narrow.write("ab日本", x: 0, y: 0) == 4)
        // overwriting half of a wide character clears the other half
        canvas.write("x", x: 1, y: 0)
        #expect(canvas.rows[0].hasPrefix(" x本語"))
    }

    @Test func changesAreOnlyTheRunsThatDiffer() {
        var a = Canvas(size: Size(width: 20, height: 2))
        a.write("hello world", x: 0, y: 0)
        var b = a
        b.write("W", x: 6, y: 0, role: .accent)
        b.write("x", x: 19, y: 1)
        let runs = b.changes(since: a)
        #expect(runs == [Canvas.Run(x: 6, y: 0, role: .accent, text: "W", columns: 1), Canvas.Run(x: 19, y: 1, role: .normal, text: "x", columns: 1)])
        #expect(b.changes(since: b).isEmpty)
        #expect(b.changes(since: nil).count >= 2)
    }

    @Test func aNonUTF8LocaleGetsASCIIStandIns() {
        var canvas = Canvas(size: Size(width: 20, height: 1))
        canvas.write("✓ Perú 日", x: 0, y: 0)
        let ascii = canvas.asciiFallback()
        #expect(ascii.rows[0].hasPrefix("+ Peru ##"))
        #expect(ascii.rows[0].unicodeScalars.allSatisfy { $0.isASCII })
    }

    /// In ASCII no stand-in is a key that does something else, the follower's dot is not the
    /// new-row mark, and a letter under combining marks keeps its letter.
    @Test func asciiStandInsNeverReadAsAKeyOrAnotherMark() {
        var canvas = Canvas(size: Size(width: 30, height: 1))
        canvas.write("j/↓ k/↑ ● ★ e\u{301}\u{301}x", x: 0, y: 0)
        let row = canvas.asciiFallback().rows[0]
        #expect(row.hasPrefix("j/_ k/^ @ * ex"), "\(row)")
        let keys = Set("abcdefghijklmnopqrstuvwxyzGNY")
        for (glyph, standIn) in Canvas.ascii where ["↓", "↑", "→", "←", "▲", "▼"].contains(glyph) {
            #expect(!standIn.contains { keys.contains($0) }, "\(glyph) → \(standIn)")
        }
    }

    @Test func theRawViewMakesEveryControlVisible() {
        let raw: [UInt8] = Array("{\"m\":\"a".utf8) + [0x1B, 0x5B, 0x32, 0x4A, 0x0A, 0xFF, 0xC3] + Array("é\u{202E}\"}".utf8)
        let shown = TerminalText.rawPieces(raw).map(\.text).joined()
        #expect(shown == "{\"m\":\"a\\x1B[2J\\n\\xFF\\xC3é\\u{202E}\"}")
    }

    @Test func proseIsCutBetweenWords() {
        let detail = "1,000 lines never read (the log was rotated while nothing followed it)"
        #expect(TerminalText.truncatedAtWord(detail, to: 34) == "1,000 lines never read (the log…")
        #expect(TerminalText.truncatedAtWord(detail, to: 200) == detail)
        // One word longer than the room: cut inside it, as `truncated` does.
        #expect(TerminalText.truncatedAtWord("https://example.com/a/very/long/path", to: 12) == "https://exa…")
        #expect(TerminalText.width(TerminalText.truncatedAtWord(detail, to: 16)) <= 16)
    }

    @Test func truncationAndPaddingMeasureColumns() {
        #expect(TerminalText.truncated("abcdef", to: 4) == "abc…")
        // In the middle: two fifths of the room for the start, the rest for the end.
        #expect(TerminalText.truncatedInTheMiddle("665f1c2e9b1d4a0012ab34cd", to: 18) == "665f1c…a0012ab34cd")
        #expect(TerminalText.truncatedInTheMiddle("日本語の取引ID-0001", to: 10) == "日…ID-0001", "wide characters measured as two")
        #expect(TerminalText.truncatedInTheMiddle("short", to: 10) == "short")
        #expect(TerminalText.padded("abcdefghij", to: 6, cutInTheMiddle: true) == "ab…hij")
        #expect(TerminalText.padded("日本", to: 5) == "日本 ")
        #expect(TerminalText.padded("12", to: 4, alignRight: true) == "  12")
    }

    @Test func layoutSplitsLengthsFirstThenMinimumsThenFills() {
        let area = Rect(x: 0, y: 0, width: 80, height: 24)
        let rows = Layout.vertical(area, [.length(1), .length(1), .min(1), .length(1), .length(1)])
        #expect(rows.map(\.height) == [1, 1, 20, 1, 1])
        #expect(rows.map(\.y) == [0, 1, 2, 22, 23])
        let columns = Layout.horizontal(area, [.length(10), .fill, .fill, .min(5)])
        #expect(columns.map(\.width) == [10, 22, 22, 26])  // the minimum first, then equal shares
        #expect(columns.last!.right == 80)
        // too little room: lengths in order, then nothing
        #expect(Layout.vertical(Rect(x: 0, y: 0, width: 1, height: 3), [.length(2), .length(2), .fill]).map(\.height) == [2, 1, 0])
    }

    @Test func wrapBreaksBetweenWordsAndInsideWordsLongerThanALine() {
        #expect(TerminalText.wrap("confirm with Cleo that no money moved", width: 12) == ["confirm with", "Cleo that no", "money moved"])
        // A word longer than a line: after a URL separator in the line's last third, else at the width.
        #expect(TerminalText.wrap("https://merchant.example/x", width: 10) == ["https://", "merchant.e", "xample/x"])
        #expect(TerminalText.wrap("abcdefghijklmnopqrstuvwxyz", width: 10) == ["abcdefghij", "klmnopqrst", "uvwxyz"])
        // A separator early in the line would waste most of it: the width wins.
        #expect(TerminalText.wrap("a/bcdefghijklmn", width: 10) == ["a/bcdefghi", "jklmn"])
        #expect(TerminalText.wrap("a\u{202E}b", width: 20) == ["a⟨U+202E⟩b"])
        // A date keeps its time on its line (a proposal "at 2026-11-25 / 13:00:00" read as two).
        #expect(TerminalText.wrap("proposed by lena at 2026-11-25 13:00:00 today", width: 30)
                == ["proposed by lena at", "2026-11-25 13:00:00 today"])
        #expect(TerminalText.wrap("set (2026-11-22 15:00:00)", width: 14) == ["set", "(2026-11-22", "15:00:00)"], "wider than a line together")
        var canvas = Canvas(size: Size(width: 12, height: 2))
        #expect(canvas.wrapped("one two three four five", x: 0, y: 0, width: 12, maxLines: 2) == 2)
        #expect(canvas.rows[1].hasSuffix("…"))
    }

    @Test func aLabelledValueHangsUnderItsFirstCharacterAndBreaksAfterURLSeparators() {
        let url = "https://hooks.merchant.example/cleo/webhooks/v2/receive?tenant=mozarto-merchant-42&region=latam&signature=required"
        #expect(TerminalText.wrap(url, width: 72, label: "new: ") == [
            "new: https://hooks.merchant.example/cleo/webhooks/v2/receive?",
            "     tenant=mozarto-merchant-42&region=latam&signature=required",
        ])
        #expect(TerminalText.wrap(url, width: 40, label: "new: ") == [
            "new: https://hooks.merchant.example/",
            "     cleo/webhooks/v2/receive?",
            "     tenant=mozarto-merchant-42&",
            "     region=latam&signature=required",
        ])
        // No part's end within reach: a break inside a part (`=`, `-`) is next best.
        #expect(TerminalText.wrap("tenant=mozarto-merchant-42xxxxxx", width: 20) == ["tenant=mozarto-", "merchant-42xxxxxx"])
        // Words, and an unbreakable value with no separator, hang the same way.
        #expect(TerminalText.wrap("a value with several words that wraps beside its label", width: 30, label: "now: ")
            == ["now: a value with several", "     words that wraps beside", "     its label"])
        #expect(TerminalText.wrap("abcdefghijklmnopqrstuvwxyz0123456789", width: 20, label: "new: ")
            == ["new: abcdefghijklmno", "     pqrstuvwxyz0123", "     456789"])
        #expect(TerminalText.wrap("short", width: 30, label: "now: ") == ["now: short"])
        // Measured in columns after sanitising: a wide character takes two, a control its picture.
        #expect(TerminalText.wrap("日本語テキスト", width: 10, label: "new: ") == ["new: 日本", "     語テ", "     キス", "     ト"])
        #expect(TerminalText.wrap("ab\u{1B}[2Jcdef", width: 10, label: "new: ") == ["new: ab␛[2", "     Jcdef"])
        #expect(TerminalText.wrap("v", width: 20, label: "x\u{1B}: ") == ["x␛: v"])
        // A label wider than half the line: the value wraps on under it.
        #expect(TerminalText.wrap("value", width: 8, label: "a long label: ") == ["a long", "label:", "value"])
    }

    @Test func anOverlayClearsTheWholeRowsItSpans() {
        var canvas = Canvas(size: Size(width: 20, height: 5))
        for y in 0..<5 { canvas.write(String(repeating: "x", count: 18) + "日", x: 0, y: y) }
        let inside = canvas.overlay(Rect(x: 4, y: 1, width: 10, height: 3), title: " T ")
        #expect(inside == Rect(x: 5, y: 2, width: 8, height: 1))
        #expect(canvas.rows[0] == String(repeating: "x", count: 18) + "日", "a row above is untouched")
        #expect(canvas.rows[4] == String(repeating: "x", count: 18) + "日", "a row below is untouched")
        // Nothing of the screen under it shows beside its frame, on either side, wide cells included.
        #expect(canvas.rows[1] == "    ┌─ T ────┐      ")
        #expect(canvas.rows[2] == "    │        │      ")
        #expect(canvas.rows[3] == "    └────────┘      ")
    }
}
