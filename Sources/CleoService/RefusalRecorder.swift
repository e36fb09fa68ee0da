import CleoDomain
import CleoStore
import Foundation

/// Keeps refusal records for support, off the request's thread. Whatever waits is written in one
/// transaction (one commit per batch), and a refusal is answered once it is kept. A flood — an
/// unauthenticated sender at full speed — is capped: past `perSecond` records in a second the rest
/// of that second are counted per status and kept as one summary record, so the database and its
/// WAL do not grow at the attacker's rate.
public final class RefusalRecorder: @unchecked Sendable {
    public let perSecond: Int
    private let queue = DispatchQueue(label: "cleo-refusals")
    private let store: @Sendable ([RefusedDelivery]) throws -> Void
    private let say: @Sendable (String) -> Void

    private let lock = NSLock()
    private var pending: [(RefusedDelivery, (@Sendable () -> Void)?)] = []
    private var draining = false
    private var second: Int64 = .min
    private var keptThisSecond = 0
    private var notKept: [Int: Int] = [:]

    public init(perSecond: Int = 50, store: @escaping @Sendable ([RefusedDelivery]) throws -> Void, say: @escaping @Sendable (String) -> Void) {
        self.perSecond = perSecond
        self.store = store
        self.say = say
    }

    func record(_ refusal: RefusedDelivery) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in record(refusal) { continuation.resume() } }
    }

    /// `then` is called once the refusal is kept (or counted in its second's summary).
    func record(_ refusal: RefusedDelivery, then: @escaping @Sendable () -> Void) {
        guard admit(refusal) else { then(); return }
        lock.lock()
        pending.append((refusal, then))
        scheduleDrain()
        lock.unlock()
    }

    /// Whether this refusal gets a record of its own (else it is counted in its second's summary).
    private func admit(_ refusal: RefusedDelivery) -> Bool {
        let now = refusal.at.millisecondsSince1970 / 1000
        lock.lock()
        defer { lock.unlock() }
        if now != second {
            enqueueSummary()
            second = now
            keptThisSecond = 0
        }
        guard keptThisSecond < perSecond else {
            if notKept.isEmpty {
                // Write this second's count once it is over, even if no refusal follows.
                queue.asyncAfter(deadline: .now() + 1.1) { [self] in
                    lock.lock()
                    if second == now { enqueueSummary() }
                    lock.unlock()
                }
            }
            notKept[refusal.status, default: 0] += 1
            return false
        }
        keptThisSecond += 1
        return true
    }

    /// Under the lock: the summary of the second that ends, if anything went uncounted.
    private func enqueueSummary() {
        guard !notKept.isEmpty else { return }
        let at = Timestamp(millisecondsSince1970: second * 1000 + 999)
        for (status, count) in notKept.sorted(by: { $0.key < $1.key }) {
            pending.append((RefusedDelivery(at: at, remote: "(several)", status: status,
                                            reason: "\(count) more refusals with this status in this second, not kept one by one (over \(perSecond) a second)"), nil))
        }
        notKept.removeAll()
        scheduleDrain()
    }

    /// Under the lock.
    private func scheduleDrain() {
        guard !draining else { return }
        draining = true
        queue.async { [self] in drain() }
    }

    private func drain() {
        while true {
            lock.lock()
            let batch = pending
            pending.removeAll()
            if batch.isEmpty { draining = false; lock.unlock(); return }
            lock.unlock()
            do { try store(batch.map(\.0)) } catch { say("could not keep \(batch.count) refusal record(s): \(error)") }
            for (_, then) in batch { then?() }
        }
    }
}
