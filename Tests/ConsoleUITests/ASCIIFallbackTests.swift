@testable import ConsoleUI
@testable import TerminalCanvas
import Testing

/// `LANG=C`: controls in caret notation, placeholders in ASCII brackets and never cut in half,
/// and every symbol that means something with its own stand-in.
@Suite struct ASCIIFallbackTests {
    func ascii(_ text: String) -> String {
        TerminalText.inASCII { TerminalText.sanitized(text) }
    }

    /// A row of a canvas drawn for an ASCII terminal, as the console draws it.
    func drawnInASCII(_ text: String, width: Int = 40) -> String {
        TerminalText.inASCII {
            var canvas = Canvas(size: Size(width: width, height: 1))
            canvas.write(text, x: 0, y: 0)
            return canvas
        }.asciiFallback().rows[0]
    }

    @Test func controlsAreInCaretNotation() {
        // ESC is ^[ (^] is GS, Ctrl-]); each control its own caret form.
        #expect(ascii("a\u{00}\u{07}\u{1B}\u{1D}\u{1F}\u{7F}b") == "a^@^G^[^]^_^?b")
        // A control picture in the data reads as the control it pictures, as in UTF-8.
        #expect(ascii("␀␇␛␡") == "^@^G^[^?")
        // Measured as drawn: the text after it is not overwritten or shifted into the next cell.
        #expect(drawnInASCII("x\u{1B}]0;t\u{07}y|").hasPrefix("x^[]0;t^Gy|"))
        // UTF-8 keeps its control pictures.
        #expect(TerminalText.sanitized("a\u{1B}b") == "a␛b")
    }

    @Test func placeholdersAreReadableASCIIAndNeverCutInHalf() {
        #expect(ascii("ev\u{202E}il") == "ev<U+202E>il")
        #expect(drawnInASCII("ev\u{202E}il").hasPrefix("ev<U+202E>il "))
        // A placeholder written by the domain (RefusedValue) gets ASCII brackets in the fallback.
        #expect(drawnInASCII("a ⟨U+001B⟩ b").hasPrefix("a <U+001B> b "))
        // A cut keeps a placeholder whole or drops it whole (`a⟨U+202E…` read as nothing).
        #expect(TerminalText.truncated("a⟨U+202E⟩bcd", to: 10) == "a⟨U+202E⟩…")
        #expect(TerminalText.truncated("a⟨U+202E⟩bcd", to: 9) == "a…")
        #expect(TerminalText.truncated("a<U+202E>bcd", to: 9) == "a…")
        #expect(TerminalText.truncatedInTheMiddle("evil⟨U+202E⟩0123456789", to: 12) == "evil…3456789")
        // The room the end could not take whole goes to the start.
        #expect(TerminalText.truncatedInTheMiddle("abcdefgh⟨U+202E⟩xy", to: 10) == "abcdefg…xy")
        #expect(TerminalText.truncatedInTheMiddle("ab⟨U+202E⟩cdefghijklm", to: 12) == "ab…efghijklm")
        // Nor a caret form: a lone `^` would read as the up arrow.
        #expect(TerminalText.truncated("ab^[cd", to: 4) == "ab…")
        #expect(TerminalText.truncated("ab^[cd", to: 5) == "ab^[…")
    }

    @Test func theCutMarkIsNotADot() {
        let row = drawnInASCII(TerminalText.truncated("cl-ana.rojas", to: 8) + " " + TerminalText.truncatedInTheMiddle("203.0.113.9", to: 8))
        #expect(row.hasPrefix("cl-ana.$ 20$113.9"), "\(row)")
    }

    /// The glyphs that carry a meaning, each with a stand-in no other of them has.
    @Test func everyMarkHasItsOwnStandIn() {
        let marks: [(meaning: String, glyph: String)] = [
            ("Approved", "✓"), ("Declined", "✗"), ("Pending", "◌"), ("new row", "★"), ("changed", "~"), ("flagged", "!"),
            ("cut text", "…"), ("warning", "⚠"), ("following", "●"), ("waiting", "○"), ("read-only", "◇"), ("paused", "⏸"),
            ("newer / PRODUCTION", "▲"), ("more below", "▼"), ("box top corner", "┌"), ("box bottom corner", "└"),
            ("placeholder opens", "⟨"), ("placeholder closes", "⟩"), ("no stand-in", "日"),
        ]
        let shown = drawnInASCII(marks.map(\.glyph).joined(separator: " "), width: 60).split(separator: " ").map(String.init)
        #expect(shown.count == marks.count, "\(shown)")
        for (i, a) in marks.enumerated() {
            for (j, b) in marks.enumerated() where j > i && i < shown.count && j < shown.count {
                #expect(shown[i] != shown[j], "\(a.meaning) and \(b.meaning) both \(shown[i])")
            }
        }
        #expect(!shown.contains { $0.contains("?") })
        // A box's corners: `.` above, `'` below — not Approved's `+`.
        #expect(drawnInASCII("┌─┐│└─┘").hasPrefix(".-.|'-'"))
    }

    /// The Transactions list as a `LANG=C` terminal shows it (`transactions-ascii`).
    @Test func theListInASCIIShowsEachMarkAsItsOwn() {
        var state = Fixture.state()
        state.transactions.marks["665f1c2e9b1d4a0012ab34cd"] = .init(isNew: true, until: Fixture.now.adding(milliseconds: 2000))
        let rows = state.renderASCII().rows
        let text = rows.joined(separator: "\n")
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(rows[2].contains("% 3 overdue >30m"), "\(rows[2])")
        #expect(rows[2].contains("* new ~ changed ! flagged"), "\(rows[2])")
        #expect(rows[1].contains("% config incomplete"))
        #expect(text.contains("x^[[2Jy"))
        #expect(text.contains("<U+202E>id"))
        #expect(text.contains("cl-ana.$"))
        #expect(!text.replacingOccurrences(of: "? help", with: "").contains("?"))
    }
}
