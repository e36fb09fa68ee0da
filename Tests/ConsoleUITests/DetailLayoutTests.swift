import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The detail view on the layout primitives (issue 10): the timeline is a table whose header
/// and cells line up and whose columns give way in their stated order; what support reads out
/// (the psp id, an event's message) is never cut silently.
@Suite struct DetailLayoutTests {
    func column(of needle: String, in row: String) -> Int? {
        guard let range = row.range(of: needle) else { return nil }
        return TerminalText.width(String(row[..<range.lowerBound]))
    }

    func detail(size: Size, record: TransactionRecord = Fixture.rows[2], events: [EventRecord] = Fixture.events) -> AppState {
        var state = Fixture.state(size: size)
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(record, events, totalEvents: events.count))
        return state
    }

    func headerRow(_ canvas: Canvas) -> Int { canvas.rows.firstIndex { $0.contains("RECEIVED") && $0.contains("STATUS") }! }

    /// A declined pay-out's guidance is about money: a code the console does not know still gets
    /// the pay-out caution, and a retryable code is not called safe to retry before it.
    @Test func aPayOutsErrorAlwaysCarriesThePayOutCaution() {
        let unknown = Fixture.record(10, "665f1c2e9b1d4a0012ab34cb", .declined, method: .payOut, amount: "150000", minutesAgo: 9,
                                     error: "INSUFFICIENT_FUNDS")
        let screen = detail(size: Size(width: 80, height: 30), record: unknown).render().rows.joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(screen.contains("INSUFFICIENT_FUNDS (a code this console does not know"))
        #expect(screen.contains("Pay-out: first confirm with Cleo that no money moved"), "\(screen)")
        let timeout = detail(size: Size(width: 80, height: 30)).render().rows.joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(timeout.contains("retry only once Cleo confirms no money moved") && !timeout.contains("safe to retry with a new request"), "\(timeout)")
    }

    @Test func theTimelinesHeaderAndCellsLineUpAt80And120() {
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40)] {
            let canvas = detail(size: size).render()
            let header = canvas.rows[headerRow(canvas)]
            for (offset, event) in Fixture.events.enumerated() {
                let row = canvas.rows[headerRow(canvas) + 1 + offset]
                let time = String(RFC3339.formatShort(event.receivedAt, offsetSeconds: Fixture.session.offsetSeconds).dropFirst(5))
                #expect(column(of: time, in: row) == column(of: "RECEIVED", in: header), "\(size): \(row)")
                #expect(column(of: event.status.rawValue, in: row) == column(of: "STATUS", in: header), "\(size): \(row)")
                if let code = event.errorCode { #expect(column(of: code, in: row) == column(of: "ERROR", in: header), "\(size): \(row)") }
                #expect(!row.contains("…"), "whole at \(size): \(row)")
            }
        }
    }

    @Test func narrowTheRawStatusGoesFirstThenTheMessageIsCutAndShownWholeBelow() {
        var events = Fixture.events
        events[1].message = "Cleo did not respond in time; the pay-out request was not acknowledged by the bank"
        var state = detail(size: Size(width: 80, height: 24), events: events)
        var layout = TransactionDetailScreen.timelineTable(state, width: 80).layout
        #expect(!layout.shows("RAW") && layout.shows("MARK") && layout.shows("ERROR"))
        #expect(layout.widths[0] == 4 && layout.widths[1] == 14 && layout.widths[5] == 11, "line, time and error code whole")
        _ = state.reduce(.key(.character("j")))
        let canvas = state.render()
        let selected = canvas.rows[headerRow(canvas) + 2]
        #expect(selected.contains("PSP_TIMEOUT") && selected.contains("…"), "\(selected)")
        // The whole message under the table, wrapped (never stopping mid-word).
        let below = canvas.rows[(headerRow(canvas) + 4)..<22].joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(below.contains("line 1240: Cleo did not respond in time; the pay-out request was not acknowledged by the bank"), "\(below)")
        // At 120 the fixture's messages leave room for the raw status: every column whole.
        state = detail(size: Size(width: 120, height: 40))
        layout = TransactionDetailScreen.timelineTable(state, width: 120).layout
        #expect(layout.shows("RAW") && layout.widths[3] == 8 && layout.isWhole)
    }

    @Test func aLongPspIdIsWholeAt80() {
        var record = Fixture.rows[2]
        record.pspTransactionID = "60a74038-5b94-427e-8cff-0123456789ab"
        record.userID = "cl-ana.rojas.fernandez-de-la-cruz"
        let canvas = detail(size: Size(width: 80, height: 24), record: record).render()
        let text = canvas.rows.joined(separator: "\n")
        #expect(text.contains("60a74038-5b94-427e-8cff-0123456789ab"), "\(text)")
        #expect(text.contains("cl-ana.rojas.fernandez-de-la-cruz"))
        #expect(!canvas.rows[3].contains("…"))
    }
}
