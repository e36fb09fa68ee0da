import CleoDomain
import CleoFollower
import CleoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `serve`'s `ServiceState` beside the database every 2 s (and once more, stopped, at the
/// end): deliveries and refusals counted per minute over the last hour, the last delivery's time.
public final class ServiceBeat: @unchecked Sendable {
    private let databasePath: String
    private let lock = NSLock()
    private var state: ServiceState
    /// Per minute since the epoch: (deliveries, refusals); 60 minutes kept.
    private var minutes: [Int64: (Int, Int)] = [:]
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    public init(databasePath: String, listen: String, isSecured: Bool, now: Timestamp = .now()) {
        self.databasePath = databasePath
        state = ServiceState(pid: Int(getpid()), listen: listen, isSecured: isSecured, startedAt: now, beatAt: now, lastDeliveryAt: nil,
                             deliveriesLastHour: 0, refusalsLastHour: 0, stoppedAt: nil)
    }

    /// A delivery answered: 200 counts as a delivery, the statuses with a refusal record as refusals.
    public func answered(status: Int, at: Timestamp) {
        guard status == 200 || [400, 401, 413, 415, 503].contains(status) else { return }
        lock.lock()
        let minute = at.millisecondsSince1970 / 60_000
        var counts = minutes[minute] ?? (0, 0)
        if status == 200 { counts.0 += 1; state.lastDeliveryAt = at } else { counts.1 += 1 }
        minutes[minute] = counts
        lock.unlock()
    }

    /// The address actually bound (port 0 becomes the port chosen).
    public func listening(on address: String) {
        lock.lock()
        state.listen = address
        lock.unlock()
    }

    public func securityChanged(_ isSecured: Bool) {
        lock.lock()
        state.isSecured = isSecured
        lock.unlock()
    }

    public func start() {
        let thread = Thread { [self] in
            while true {
                write(now: .now(), stopped: false)
                lock.lock()
                let stop = stopping
                lock.unlock()
                if stop { break }
                usleep(useconds_t(ServiceState.beatMilliseconds * 1000))
            }
            done.signal()
        }
        thread.name = "cleo-serve-beat"
        thread.start()
    }

    /// The last beat: stopped.
    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        write(now: .now(), stopped: true)
    }

    func write(now: Timestamp, stopped: Bool) {
        lock.lock()
        let current = now.millisecondsSince1970 / 60_000
        minutes = minutes.filter { $0.key > current - 60 }
        state.deliveriesLastHour = minutes.values.reduce(0) { $0 + $1.0 }
        state.refusalsLastHour = minutes.values.reduce(0) { $0 + $1.1 }
        state.beatAt = now
        if stopped { state.stoppedAt = now }
        let text = state.encoded()
        lock.unlock()
        ServiceStateFile.write(text, forDatabase: databasePath)
    }
}
