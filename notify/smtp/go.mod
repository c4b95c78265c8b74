module github.com/multilinehq/multiline/notify/smtp

go 1.26.0

require (
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/emersion/go-smtp v0.25.1
	github.com/multilinehq/multiline v0.0.0
	github.com/stretchr/testify v1.12.1
	github.com/wneessen/go-mail v0.8.1
)

require (
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.54.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

replace github.com/multilinehq/multiline => ../..
