import Foundation
import Hummingbird
import HummingbirdCore
import Logging

/// `cleo-bench http-floor PORT`: Hummingbird alone — read the body, answer 200 — with no parsing,
/// no disk and no follower: the floor under `serve`, measured beside it in the serve benchmark so
/// the cost of the framework and the cost of durability are told apart.
enum HTTPFloor {
    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        func respond(to request: Request, context: Context) async throws -> Response {
            var bytes = 0
            for try await chunk in request.body { bytes += chunk.readableBytes }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\",\"bytes\":\(bytes)}\n")))
        }
    }

    static func run(port: Int) async throws {
        var logger = Logger(label: "http-floor")
        logger.logLevel = .error
        let app = Application(responder: Responder(), configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}
