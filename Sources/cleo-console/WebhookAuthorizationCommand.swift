import CleoDomain
import CleoStore
import TerminalCanvas

/// `config set webhookAuthorization` and its line in `config show` (cli.md, serve.md): a secret
/// like the regional keys, from standard input only, masked everywhere, not in `config export`.
extension ConfigCommand.Set {
    static func setWebhookAuthorization(given value: String?, location: Location) throws {
        let name = WebhookAuthorization.fieldName
        if value != nil {
            throw Failure.usage("\(name) is a secret and is never taken from the command line (shell history, ps); pipe it on standard input or type it at the prompt")
        }
        // Opened as every change is (a user who may only read it is told why, not failed), and the
        // role said before the secret is typed: a user who may not set it is not asked for it.
        let database = try location.openForChange()
        let actor = Actor.current()
        try database.authorize(actor, .setWebhookAuthorization, field: name, now: .now())
        let text = try SecretPrompt.read(prompt: "\(name): ", secret: true)
        do {
            switch try database.setWebhookAuthorization(text, actor: actor, now: .now()) {
            case .saved(let hint):
                printOut("saved \(name) = \(TerminalText.sanitized(hint.display)) (serve picks it up within 2 s)")
            case .proposed(let change):
                let time = OperatorTime()
                printOut(TerminalText.sanitized("proposed #\(change.id): \(name) \(change.old ?? "(unset)") → \(change.new); in production this waits for a second person "
                                                + "(config approve \(change.id)) until \(time.short(change.expiresAt)) (\(time.zoneName)); the old value stays in force (serve answers with it)"))
            }
        } catch let refusal as WebhookAuthorizationRefusal {
            throw Failure.data("\(refusal.description); nothing was stored")
        }
    }
}

extension ConfigCommand.Show {
    static func webhookAuthorizationLine(_ hint: StoredConfiguration.SecretHint?, lifecycle: KeyLifecycle?, time: OperatorTime) -> String {
        var value = hint?.display ?? "(unset)"
        if let setAt = hint?.setAt { value += "  set \(time.short(setAt))" }
        if hint != nil, let life = lifecycle {
            value += " by \(life.setBy)@\(life.setFrom)" + (life.previousFingerprint.map { ", replaced \($0)" } ?? ", the first")
        }
        return TerminalText.padded(WebhookAuthorization.fieldName, to: 28) + " " + TerminalText.sanitized(value)
    }
}

extension JSONOut {
    /// `config show --json` with `webhookAuthorization` (its mask, or null) after `isWebhookSecured`.
    func addingWebhookAuthorization(_ hint: StoredConfiguration.SecretHint?) -> JSONOut {
        guard case .object(var members) = self else { return self }
        let at = (members.firstIndex { $0.0 == "isWebhookSecured" }).map { $0 + 1 } ?? members.endIndex
        members.insert((WebhookAuthorization.fieldName, .optional(hint?.mask)), at: at)
        return .object(members)
    }
}
