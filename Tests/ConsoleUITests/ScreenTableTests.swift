import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The Transactions and Audit screens on the table primitive, at 80 and 120 columns: header and
/// cells from one layout, what is whole and what gives way (issue 10).
@Suite struct ScreenTableTests {
    /// The column (not the character index: wide graphemes take two) where `needle` starts.
    func column(of needle: String, in row: String) -> Int? {
        guard let range = row.range(of: needle) else { return nil }
        return TerminalText.width(String(row[..<range.lowerBound]))
    }

    func listRows(_ canvas: Canvas) -> [String] { Array(canvas.rows[4..<(4 + Fixture.rows.count)]) }

    @Test func at120EveryIdUserAndErrorIsWholeAndTheColumnsLineUp() {
        let state = Fixture.state(size: Size(width: 120, height: 30))
        let canvas = state.render()
        let header = canvas.rows[3]
        let rows = listRows(canvas)
        for (row, record) in zip(rows, Fixture.rows) {
            #expect(row.contains(TerminalText.sanitized(record.id)), "\(row)")
            #expect(row.contains(TerminalText.sanitized(record.userID)), "\(row)")
            if let error = record.errorCode { #expect(row.contains(error), "\(row)") }
            #expect(!row.contains("…"), "nothing cut at 120: \(row)")
            // The id sits under its title, the user under its (sanitised before measured: the
            // id with ⟨U+202E⟩ does not push the rest right).
            #expect(column(of: TerminalText.sanitized(record.id), in: row) == column(of: "TRANSACTION", in: header))
            #expect(column(of: TerminalText.sanitized(record.userID), in: row) == column(of: "USER", in: header))
        }
        // The country gives way first (its currency is beside the amount), then the flags (the
        // ! mark stays); the time keeps its seconds; the status is never cut.
        #expect(header.split(separator: " ") == ["FIRST", "SEEN", "TRANSACTION", "METHOD", "AMOUNT", "STATUS", "USER", "ERROR"])
        #expect(rows[0].contains("11-25 14:58:00"))
        #expect(rows[4].hasPrefix("!") && rows[3].contains("◌ Pending 1h"))
        #expect(TransactionsScreen.table(state, width: 120, rowCount: 20).layout.totalWidth <= 119)
    }

    @Test func at80TheIdIsCutBeforeTheStatusAndTheErrorAndFlagsGiveWay() {
        let state = Fixture.state()
        let canvas = state.render()
        let header = canvas.rows[3]
        #expect(header.split(separator: " ") == ["FIRST", "SEEN", "TRANSACTION", "METHOD", "AMOUNT", "STATUS", "USER"])
        for (row, record) in zip(listRows(canvas), Fixture.rows) {
            let (status, _) = TransactionsScreen.statusText(record, now: state.now)
            #expect(column(of: status, in: row) == column(of: "STATUS", in: header), "\(row)")
            #expect(row.contains(record.amount!.formatted(currency: record.currency)))
        }
        // As much of the id as the width leaves: 18 columns, cut in the middle with … so the
        // ids that share their first 20 characters still read apart; the user down to 8.
        let layout = TransactionsScreen.table(state, width: 80, rowCount: 20).layout
        #expect(layout.widths.map { $0 ?? -1 } == [1, 14, 18, 7, 13, 12, 8, -1, -1])
        #expect(layout.totalWidth == 79)
        let ids = listRows(canvas).map { row in
            let words = row.split(separator: " ")
            return words[words.firstIndex { $0.filter { $0 == ":" }.count == 2 }! + 1]  // after the time
        }
        #expect(ids[0] == "665f1c…a0012ab34cd" && ids[1] == "665f1c…a0012ab34cc", "\(ids)")
        #expect(Set(ids).count == ids.count, "every row's id reads apart: \(ids)")
    }

    @Test func wideEnoughTheTimeShowsItsSecondsAndHowLongAgo() {
        var state = Fixture.state(size: Size(width: 150, height: 30))
        var layout = TransactionsScreen.table(state, width: 150, rowCount: 20).layout
        #expect(layout.header.hasPrefix("  FIRST SEEN     AGO "))
        #expect(layout.isWhole)
        // At 120 how long ago would cut something: the time alone, with its seconds.
        state = Fixture.state(size: Size(width: 120, height: 30))
        layout = TransactionsScreen.table(state, width: 120, rowCount: 20).layout
        #expect(!layout.shows("AGO") && layout.widths[1] == 14)
    }

    @Test func theAuditTrailSanitisesCellsBeforeMeasuringThemAndKeepsTheResult() {
        for width in [80, 120] {
            var state = Fixture.state(size: Size(width: width, height: 24))
            _ = state.reduce(.key(.character("4")))
            _ = state.reduce(.auditLoaded([
                AuditEntry(id: 1, at: Fixture.now.adding(milliseconds: -7_200_000), user: "maria", origin: "ssh 203.0.113.9", field: "webhookUrl",
                           old: "https://old.merchant.example/hooks", new: "https://new.merchant.example/hooks", result: .saved, detail: nil),
                AuditEntry(id: 2, at: Fixture.now.adding(milliseconds: -5_400_000), user: "ev\u{202E}il", origin: "local", field: "customerExternalKeyForCleo",
                           old: "a\u{202E}b", new: "x\u{1B}[2J", result: .refused, detail: nil),
            ], total: 0))
            let canvas = state.render()
            let header = canvas.rows[3]
            let result = column(of: "RESULT", in: header)
            #expect(result != nil)
            for (row, word) in [(canvas.rows[4], "refused"), (canvas.rows[5], "saved")] {
                #expect(column(of: word, in: row) == result, "\(width): \(row)")
            }
            let layout = AuditScreen.table(state.audit.trail.rows, state: state, width: width).layout
            #expect(layout.totalWidth <= width - 2)
            #expect(canvas.rows[4].contains("ev⟨U+202E⟩il@local"))
            #expect(canvas.rows[4].contains("customerExternalKeyForCleo"), "the field whole: the change gives way first")
            if width == 120 {
                #expect(canvas.rows[4].contains("a⟨U+202E⟩b → x␛[2J"))
                #expect(canvas.rows[5].contains("maria@ssh 203.0.113.9"))
            }
        }
    }
}
