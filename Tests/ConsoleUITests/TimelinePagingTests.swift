import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The detail's timeline pages back through a long history (keyset on the event's id): above
/// the newest page's top the page before it, g the transaction's first event, G its end.
@Suite struct TimelinePagingTests {
    struct World {
        var state = Fixture.state()
        var rowIDs: [Int64]
        let record: TransactionRecord

        init(events: Int) {
            rowIDs = (1...Int64(events)).map { $0 }
            var record = Fixture.rows[2]
            record.eventCount = events
            self.record = record
            _ = state.reduce(.key(.enter))
            let newest = page(.newest)
            _ = state.reduce(.detailLoaded(record, newest.map(event), totalEvents: events))
        }

        /// Log order, like the store's `timeline`.
        func page(_ window: RowWindow) -> [Int64] {
            let limit = TransactionDetailScreen.timelineLimit
            switch window {
            case .newest: return Array(rowIDs.suffix(limit))
            case .oldest: return Array(rowIDs.prefix(limit))
            case .olderThan(let id): return Array(rowIDs.filter { $0 < id }.suffix(limit))
            case .newerThan(let id): return Array(rowIDs.filter { $0 > id }.prefix(limit))
            }
        }

        func event(_ id: Int64) -> EventRecord {
            EventRecord(file: "/var/log/cleo/webhook-events.jsonl", line: id, offset: id * 10, receivedAt: Fixture.now, receivedAtGiven: true,
                        status: .pending, rawStatus: "PENDING", message: "m\(id)", errorCode: nil, eventID: "ev-\(id)", duplicate: false,
                        late: false, notes: nil, raw: [], rowID: id)
        }

        mutating func run(_ effects: [Effect]) {
            var pending = effects
            for _ in 0..<10 where !pending.isEmpty {
                var next: [Effect] = []
                for case .loadTimeline(let seq, let window) in pending {
                    let ids = page(window)
                    next += state.reduce(.timelineLoaded(txSeq: seq, ids.map(event), total: rowIDs.count,
                                                         after: rowIDs.filter { $0 > (ids.last ?? Int64.max) }.count, window: window))
                }
                pending = next
            }
        }

        mutating func key(_ key: Key, times: Int = 1) { for _ in 0..<times { run(state.reduce(.key(key))) } }
        var selected: Int64? { state.detail.timeline.selected?.rowID }
        var screen: String { state.render().rows.joined(separator: "\n") }
    }

    @Test func aLongTimelinePagesBackAndForth() {
        var world = World(events: 1_234)
        #expect(world.state.detail.timeline.rows.count == 500)
        world.state.detail.timeline.cursor = 0
        #expect(world.selected == 735)
        #expect(world.screen.contains("Timeline · newest 500 of 1,234 events"))
        world.key(.character("k"))
        #expect(world.selected == 734)
        #expect(world.screen.contains("Timeline · events 235–734 of 1,234"))
        world.key(.character("g"))
        #expect(world.selected == 1)
        #expect(world.screen.contains("Timeline · events 1–500 of 1,234"))
        world.key(.character("j"), times: 500)
        #expect(world.selected == 501)
        world.key(.character("G"))
        #expect(world.selected == 1_234)
        #expect(world.state.detail.timeline.window == .newest)
        // A short page after the current one is the end: the newest page, on the next event.
        world.run(TransactionDetailScreen.jump(&world.state, seq: world.record.seq, to: .olderThan(1_100), index: Int.max))
        #expect(world.selected == 1_099)
        world.key(.character("j"))
        #expect(world.selected == 1_100)
        #expect(world.state.detail.timeline.window == .newest)
    }

    /// The paging keys every cursor list shares (`ListPaging`): a screenful and half of one.
    @Test func pageAndHalfPageKeysMoveTheTimelineCursor() {
        var world = World(events: 1_234)
        world.key(.character("g"))
        #expect(world.selected == 1)
        let screenful = TransactionDetailScreen.visibleRows(world.state)
        world.key(.pageDown)
        #expect(world.selected == Int64(1 + screenful))
        world.key(.ctrl("d"))
        #expect(world.selected == Int64(1 + screenful + screenful / 2))
        world.key(.ctrl("u"))
        world.key(.ctrl("b"))
        #expect(world.selected == 1)
    }

    @Test func anOlderPageStaysWhileEventsArrive() {
        var world = World(events: 800)
        world.key(.character("g"))
        #expect(world.selected == 1)
        var record = world.record
        record.eventCount = 801
        world.rowIDs.append(801)
        _ = world.state.reduce(.detailLoaded(record, world.page(.newest).map(world.event), totalEvents: 801))
        #expect(world.selected == 1)
        #expect(world.screen.contains("Timeline · events 1–500 of 801"))
    }
}
