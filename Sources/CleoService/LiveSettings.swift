import Foundation

/// The configuration the receiver answers with, reloaded every `interval` seconds on a thread of
/// its own (serve.md: changes picked up within 2 s, no restart). A failed reload keeps the last
/// good settings and says so once.
public final class LiveSettings: @unchecked Sendable {
    private let lock = NSLock()
    private var value: WebhookSettings
    private let load: @Sendable () throws -> WebhookSettings
    private let say: @Sendable (String) -> Void
    private var stopping = false

    public init(initial: WebhookSettings, load: @escaping @Sendable () throws -> WebhookSettings, say: @escaping @Sendable (String) -> Void) {
        value = initial
        self.load = load
        self.say = say
    }

    public var current: WebhookSettings {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Starts reloading; `onChange` hears each change (never the secret itself).
    public func start(interval: Double = 0.5, onChange: @escaping @Sendable (WebhookSettings, WebhookSettings) -> Void) {
        let thread = Thread { [self] in
            var failing = false
            while true {
                usleep(useconds_t(interval * 1e6))
                lock.lock()
                let stop = stopping
                lock.unlock()
                if stop { return }
                do {
                    let next = try load()
                    failing = false
                    lock.lock()
                    let previous = value
                    value = next
                    lock.unlock()
                    if previous != next { onChange(previous, next) }
                } catch {
                    if !failing { say("cannot reload the configuration (keeping the last one): \(error)") }
                    failing = true
                }
            }
        }
        thread.name = "cleo-settings"
        thread.start()
    }

    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
    }
}
