import CleoDomain
import CleoStore
import Foundation
import Testing
@testable import CleoService

@Suite struct RefusalRecorderTests {
    @Test func aFloodIsKeptAsTheFirstRecordsAndACountPerStatus() async throws {
        let kept = Collected()
        let recorder = RefusalRecorder(perSecond: 5, store: { kept.append($0) }, say: { _ in })
        let at = Timestamp(millisecondsSince1970: 1_764_000_000_000)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask { await recorder.record(RefusedDelivery(at: at, remote: "10.0.0.\(i)", status: i % 2 == 0 ? 401 : 415, reason: "r")) }
            }
        }
        // The next second's first refusal writes the previous second's summary.
        await recorder.record(RefusedDelivery(at: at.adding(milliseconds: 1_000), remote: "x", status: 401, reason: "later"))
        let records = kept.all
        #expect(records.filter { $0.remote != "(several)" }.count == 6)
        let summaries = records.filter { $0.remote == "(several)" }
        let counted = summaries.map { Int($0.reason.prefix { $0.isNumber }) ?? 0 }.reduce(0, +)
        #expect(counted == 35)
        #expect(Set(summaries.map(\.status)).isSubset(of: [401, 415]))
        // Batched: fewer store calls than records.
        #expect(kept.calls < records.count)
    }

    @Test func aSummaryIsWrittenEvenIfTheFloodStops() async throws {
        let kept = Collected()
        let recorder = RefusalRecorder(perSecond: 1, store: { kept.append($0) }, say: { _ in })
        let at = Timestamp.now()
        for _ in 0..<3 { await recorder.record(RefusedDelivery(at: at, remote: "a", status: 413, reason: "big")) }
        for _ in 0..<40 where !kept.all.contains(where: { $0.remote == "(several)" }) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(kept.all.contains { $0.remote == "(several)" && $0.reason.hasPrefix("2 more") && $0.status == 413 })
    }
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [RefusedDelivery] = []
    private(set) var calls = 0
    func append(_ batch: [RefusedDelivery]) { lock.lock(); records += batch; calls += 1; lock.unlock() }
    var all: [RefusedDelivery] { lock.lock(); defer { lock.unlock() }; return records }
}
