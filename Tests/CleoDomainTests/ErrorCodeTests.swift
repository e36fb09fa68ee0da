import CleoDomain
import Testing

/// One test per row of the provider page's error table, first matching row wins.
@Suite struct ErrorCodeTests {
    @Test(arguments: [404, 401, 403])
    func credentials(status: Int) {
        #expect(PSPErrorCode.normalise(httpStatus: status, body: "timeout") == .invalidCredentials)
    }

    @Test func timeoutBy408OrByBodyInAnyCase() {
        #expect(PSPErrorCode.normalise(httpStatus: 408, body: "") == .timeout)
        #expect(PSPErrorCode.normalise(httpStatus: 502, body: "Gateway TimeOut") == .timeout)
        #expect(PSPErrorCode.normalise(httpStatus: 200, body: "{\"error\":\"TIMEOUT\"}") == .timeout)
    }

    @Test(arguments: [500, 502, 503, 599])
    func unavailable(status: Int) {
        #expect(PSPErrorCode.normalise(httpStatus: status, body: "oops") == .unavailable)
    }

    @Test func rateLimited() {
        #expect(PSPErrorCode.normalise(httpStatus: 429, body: "slow down") == .rateLimited)
    }

    @Test(arguments: [200, 201, 400, 409, 418, 600])
    func unknown(status: Int) {
        #expect(PSPErrorCode.normalise(httpStatus: status, body: "{\"error\":\"bad\"}") == .unknown)
    }

    @Test func retrySafetyFollowsThePage() {
        #expect(PSPErrorCode.timeout.isSafeToRetry && PSPErrorCode.unavailable.isSafeToRetry && PSPErrorCode.rateLimited.isSafeToRetry)
        #expect(!PSPErrorCode.invalidCredentials.isSafeToRetry && !PSPErrorCode.unknown.isSafeToRetry)
    }

    @Test func payOutGuidanceFirstAsksToConfirmNoMoneyMoved() {
        for code in PSPErrorCode.allCases {
            #expect(code.guidance(for: .payOut).hasPrefix("Pay-out: first confirm with Cleo that no money moved"))
            #expect(!code.guidance(for: .payIn).contains("no money moved"))
        }
        #expect(PSPErrorCode(code: "PSP_TIMEOUT") == .timeout)
        #expect(PSPErrorCode(code: "SOMETHING_NEW") == nil)
    }
}
