package invite

import "fmt"

// phrases are the sentences of one language's built-in invitation. The
// bodies are assembled from them (textBody, htmlBody) so that the five
// languages share one layout and a translator edits sentences, not markup.
//
// The SMS bodies are written to fit one 160-character GSM-7 segment with a
// 68-character activation link (a 25-character host and path plus the
// 43-character token), a 13-digit number and short names, as SampleValues
// has them: they avoid the letters outside GSM-7 (Spanish á í ó ú, French
// ç ê û) that would switch the message to UCS-2 and its 70-character
// segments. TestBuiltinSMSSegments holds the counts.
type phrases struct {
	subject    string
	hello      string
	intro      string
	number     string // the account has a number
	noNumber   string // it picks one at activation
	username   string
	activate   string // text body: before the bare link
	buttonHelp string // HTML body: before the link under the button
	validity   string
	ignore     string
	sms        string
	smsNoNum   string
}

var builtinPhrases = [numLangs]phrases{
	{ // English
		subject:    "{org_name} invites you to MultiLine",
		hello:      "Hello {f_name},",
		intro:      "{org_name} has set up MultiLine for you: a business phone number on your own phone, separate from your personal number.",
		number:     "Your MultiLine number: {multiline_number}",
		noNumber:   "You will choose your MultiLine number when you activate your account.",
		username:   "Your username: {u_name}",
		activate:   "To activate your account, open this link:",
		buttonHelp: "If the button does not work, copy this link into your browser:",
		validity:   "The link is personal and works only once. It expires on {expires}.",
		ignore:     "If you were not expecting this invitation, you can ignore this message.",
		sms:        "Hi {f_name}, {org_name} invites you to MultiLine ({multiline_number}). Activate by {expires}: {web_app_link}",
		smsNoNum:   "Hi {f_name}, {org_name} invites you to MultiLine. Activate by {expires}: {web_app_link}",
	},
	{ // Italian
		subject:    "{org_name} ti invita su MultiLine",
		hello:      "Ciao {f_name},",
		intro:      "{org_name} ha preparato MultiLine per te: un numero di telefono aziendale sul tuo telefono, separato dal tuo numero personale.",
		number:     "Il tuo numero MultiLine: {multiline_number}",
		noNumber:   "Sceglierai il tuo numero MultiLine quando attiverai l'account.",
		username:   "Il tuo nome utente: {u_name}",
		activate:   "Per attivare l'account, apri questo link:",
		buttonHelp: "Se il pulsante non funziona, copia questo link nel browser:",
		validity:   "Il link è personale e si può usare una sola volta. Scade il {expires}.",
		ignore:     "Se non aspettavi questo invito, puoi ignorare questo messaggio.",
		sms:        "Ciao {f_name}, {org_name} ti invita su MultiLine ({multiline_number}). Attiva entro il {expires}: {web_app_link}",
		smsNoNum:   "Ciao {f_name}, {org_name} ti invita su MultiLine. Attiva entro il {expires}: {web_app_link}",
	},
	{ // German
		subject:    "{org_name} lädt Sie zu MultiLine ein",
		hello:      "Hallo {f_name},",
		intro:      "{org_name} hat MultiLine für Sie eingerichtet: eine geschäftliche Telefonnummer auf Ihrem eigenen Telefon, getrennt von Ihrer privaten Nummer.",
		number:     "Ihre MultiLine-Nummer: {multiline_number}",
		noNumber:   "Ihre MultiLine-Nummer wählen Sie bei der Aktivierung Ihres Kontos.",
		username:   "Ihr Benutzername: {u_name}",
		activate:   "Um Ihr Konto zu aktivieren, öffnen Sie diesen Link:",
		buttonHelp: "Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:",
		validity:   "Der Link ist persönlich und nur einmal verwendbar. Er ist gültig bis zum {expires}.",
		ignore:     "Falls Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.",
		sms:        "Hallo {f_name}, {org_name} lädt Sie zu MultiLine ein ({multiline_number}). Gültig bis {expires}: {web_app_link}",
		smsNoNum:   "Hallo {f_name}, {org_name} lädt Sie zu MultiLine ein. Gültig bis {expires}: {web_app_link}",
	},
	{ // French
		subject:    "{org_name} vous invite à rejoindre MultiLine",
		hello:      "Bonjour {f_name},",
		intro:      "{org_name} a préparé MultiLine pour vous : un numéro de téléphone professionnel sur votre propre téléphone, distinct de votre numéro personnel.",
		number:     "Votre numéro MultiLine : {multiline_number}",
		noNumber:   "Vous choisirez votre numéro MultiLine lors de l'activation de votre compte.",
		username:   "Votre identifiant : {u_name}",
		activate:   "Pour activer votre compte, ouvrez ce lien :",
		buttonHelp: "Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :",
		validity:   "Ce lien est personnel et ne peut être utilisé qu'une seule fois. Il expire le {expires}.",
		ignore:     "Si vous n'attendiez pas cette invitation, vous pouvez ignorer ce message.",
		sms:        "Bonjour {f_name}, {org_name} vous invite sur MultiLine ({multiline_number}) : {web_app_link} (expire le {expires})",
		smsNoNum:   "Bonjour {f_name}, {org_name} vous invite sur MultiLine : {web_app_link} (expire le {expires})",
	},
	{ // Spanish
		subject:    "{org_name} te invita a MultiLine",
		hello:      "Hola, {f_name}:",
		intro:      "{org_name} ha preparado MultiLine para ti: un número de teléfono de empresa en tu propio teléfono, separado de tu número personal.",
		number:     "Tu número de MultiLine: {multiline_number}",
		noNumber:   "Elegirás tu número de MultiLine al activar tu cuenta.",
		username:   "Tu nombre de usuario: {u_name}",
		activate:   "Para activar tu cuenta, abre este enlace:",
		buttonHelp: "Si el botón no funciona, copia este enlace en tu navegador:",
		validity:   "El enlace es personal y solo se puede usar una vez. Caduca el {expires}.",
		ignore:     "Si no esperabas esta invitación, puedes ignorar este mensaje.",
		sms:        "Hola, {f_name}. {org_name} te invita a MultiLine ({multiline_number}). Activa antes del {expires}: {web_app_link}",
		smsNoNum:   "Hola, {f_name}. {org_name} te invita a MultiLine. Activa antes del {expires}: {web_app_link}",
	},
}

// textBody lays out the plain-text email body; number is the phrase about
// the number, with or without it.
func textBody(p phrases, number string) string {
	return p.hello + "\n\n" +
		p.intro + "\n\n" +
		number + "\n" +
		p.username + "\n\n" +
		p.activate + "\n{sign_in_btn}\n\n" +
		p.validity + "\n\n" +
		p.ignore + "\n"
}

// htmlBody lays out the HTML email body: plain markup with inline styles,
// which is what email clients render most alike, and no <style> block,
// whose CSS braces would need doubling.
func htmlBody(lang string, p phrases, number string) string {
	const small = `<p style="font-size:13px;color:#52606d">`
	return fmt.Sprintf(`<!DOCTYPE html>
<html lang="%s">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
</head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;background:#ffffff">
<p>%s</p>
<p>%s</p>
<p>%s<br>
%s</p>
<p>{sign_in_btn}</p>
%s%s<br>
{web_app_link}</p>
<p>%s</p>
%s%s</p>
</body>
</html>
`, lang, p.subject, p.hello, p.intro, number, p.username, small, p.buttonHelp, p.validity, small, p.ignore)
}

// builtin are the parsed built-in templates, by language and part.
var builtin = func() (b [numLangs][numParts]*Template) {
	for li, p := range builtinPhrases {
		code := locales[li].code
		src := [numParts][2]string{
			{p.subject, ""},
			{textBody(p, p.number), textBody(p, p.noNumber)},
			{htmlBody(code, p, p.number), htmlBody(code, p, p.noNumber)},
			{p.sms, p.smsNoNum},
		}
		for pi, part := range parts {
			t := mustParse(part, src[pi][0])
			if src[pi][1] != "" {
				t.alt = mustParse(part, src[pi][1])
			}
			b[li][pi] = t
		}
	}
	return b
}()

// mustParse parses a built-in text. They are constants of this package and
// TestBuiltinTemplatesParse checks them, so a failure is a programming
// error caught before any release, as with regexp.MustCompile.
func mustParse(part Part, s string) *Template {
	t, err := ParseTemplate(part, s)
	if err != nil {
		panic(fmt.Sprintf("invite: built-in template %s: %v", part, err))
	}
	return t
}
