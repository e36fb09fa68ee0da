import CleoDomain
import Testing

@Suite struct ServiceStateTests {
    let t0 = Timestamp(millisecondsSince1970: 1_764_600_000_000)

    func state(lastDelivery: Timestamp? = nil, stopped: Timestamp? = nil) -> ServiceState {
        ServiceState(pid: 42, listen: "http://127.0.0.1:8080", isSecured: true, startedAt: t0, beatAt: t0.adding(milliseconds: 5_000),
                     lastDeliveryAt: lastDelivery, deliveriesLastHour: 7, refusalsLastHour: 2, stoppedAt: stopped)
    }

    @Test func roundTrip() {
        for s in [state(), state(lastDelivery: t0.adding(milliseconds: 1_234)), state(stopped: t0.adding(milliseconds: 9_000))] {
            #expect(ServiceState.decode(Array(s.encoded().utf8)) == s)
        }
    }

    @Test func aTornOrForeignFileIsNoState() {
        let text = state().encoded()
        #expect(ServiceState.decode(Array(text.utf8.prefix(text.utf8.count / 2))) == nil)
        #expect(ServiceState.decode(Array("{}".utf8)) == nil)
        #expect(ServiceState.decode([0xFF, 0xFE]) == nil)
    }

    @Test func phases() {
        let beat = t0.adding(milliseconds: 5_000)
        #expect(state().phase(now: beat.adding(milliseconds: 1_000)) == .receiving(lastDeliverySecondsAgo: nil))
        #expect(state(lastDelivery: t0).phase(now: beat.adding(milliseconds: 2_500)) == .receiving(lastDeliverySecondsAgo: 7))
        #expect(state().phase(now: beat.adding(milliseconds: 10_001)) == .notSeen(since: beat))
        #expect(state(stopped: beat).phase(now: beat.adding(milliseconds: 60_000)) == .stopped(at: beat))
    }
}
