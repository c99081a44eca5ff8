package sim

import "encoding/json"

// command is one command of the command API: its group, name and form fields.
type command struct {
	group, name string
	fields      []*field
	schema      []byte
	platform    bool // handled by the platform model rather than the configuration side
}

func (c *command) path() string { return "/api/admin/command/v1/" + c.group + "/" + c.name + "/" }

func (c *command) render() {
	fields := make(map[string]any, len(c.fields))
	for _, f := range c.fields {
		d := map[string]any{"type": f.typ, "nullable": f.nullable, "blank": f.blank,
			"readonly": false, "unique": false, "help_text": f.help, "default": f.def}
		if f.choices != nil {
			d["valid_choices"] = f.choices
		}
		fields[f.name] = d
	}
	c.schema, _ = json.Marshal(map[string]any{
		"allowed_list_http_methods":   []string{"post"},
		"allowed_detail_http_methods": methodsNone,
		"default_format":              "application/json",
		"default_limit":               defaultLimit,
		"fields":                      fields,
	})
}

const (
	participantID = `participant_id string req max=200 # UUID of the participant (status/v1/participant id).`
	conferenceID  = `conference_id string req max=200 # UUID of the conference instance (status/v1/conference id).`
)

// commandTables lists every command as group, name and field table.
var commandTables = [][3]string{
	{"participant", "dial", `
conference_alias string req max=250 # Alias of the service to join; the callee sees the call as coming from it.
destination string req max=250 # Alias to dial.
protocol string def="sip" ch=sip|h323|mssip|rtmp|gms|teams # Protocol to dial with.
call_type string def="video" ch=video|audio|video-only # Maximum media content.
role string def="guest" ch=guest|chair # Role of the dialled participant.
system_location string max=250 # Name of the location to dial from.
node string max=255 # IPv4 address of the node to dial from; wins over system_location.
routing string def="manual" ch=manual|routing_rule # How the call is routed.
remote_display_name string max=250 # Display name of the dialled participant.
local_display_name string max=250 # Display name the callee sees.
dtmf_sequence string max=250 # DTMF sent after answer.
presentation_url string max=250 # RTMP presentation URL.
streaming boolean # Streaming or recording device.
keep_conference_alive string def="keep_conference_alive" ch=keep_conference_alive|keep_conference_alive_if_multiple|keep_conference_alive_never # Whether the participant keeps the conference alive.
custom_sip_headers string # Extra SIP headers.`},
	{"participant", "disconnect", participantID},
	{"participant", "mute", participantID},
	{"participant", "unmute", participantID},
	{"participant", "unlock", participantID},
	{"participant", "transfer", participantID + `
conference_alias string req max=250 # Alias of the conference to move to.
role string def="guest" ch=guest|chair # Role in the new conference.`},
	{"participant", "role", participantID + `
role string req ch=guest|chair # The new role.`},
	{"conference", "disconnect", conferenceID},
	{"conference", "lock", conferenceID},
	{"conference", "unlock", conferenceID},
	{"conference", "mute_guests", conferenceID},
	{"conference", "unmute_guests", conferenceID},
	{"conference", "transform_layout", conferenceID + `
layout string max=100 # Layout for everyone.
host_layout string max=100 # Layout for Hosts.
guest_layout string max=100 # Layout for Guests.
enable_overlay_text boolean null # Show names.
free_form_overlay_text string max=250 # Overlay text.
plus_n_pip_enabled boolean null # Show the +N indicator.
recording_indicator boolean null # Recording indicator.
streaming_indicator boolean null # Streaming indicator.
transcribing_indicator boolean null # Transcribing indicator.
live_captions_indicator boolean null # Live captions indicator.
ai_enabled_indicator boolean null # AI indicator.`},
	{"conference", "sync", `
conference_sync_template_id string null # Template to sync; all when empty.`},
	{"conference", "send_conference_email", `
conference_id integer req # Configuration id of the service.
conference_sync_template_id integer null # Template whose email to use.`},
	{"conference", "send_device_email", `
device_id integer req # Configuration id of the device.
conference_sync_template_id integer null # Template whose email to use.`},
	{"platform", "backup_create", `
passphrase string req max=1000 # Passphrase the backup is encrypted with.
request boolean # Create in the background.`},
	{"platform", "backup_restore", `
package file req # The backup file, uploaded as multipart.
passphrase string req max=1000 # Passphrase the backup was encrypted with.`},
	{"platform", "certificates_import", `
bundle string req # PEM text: certificates and private keys.
private_key_passphrase string # Passphrase of encrypted private keys.`},
	{"platform", "snapshot", `
limit integer def=24 # Hours of logs to include.
end_limit integer null # Hours before now the snapshot ends.
include_diagnostic_metrics boolean # Include diagnostic metrics.
request boolean # Create in the background.`},
	{"platform", "upgrade", `
package file null # The upgrade package.
request boolean # Run in the background.
total_size integer null # Size of the package.`},
	{"platform", "software_bundle", `
package file req # The software bundle.`},
	{"platform", "start_cloudnode", `
instance_id string req max=250 # Cloud instance id of the overflow node.`},
}

// configCommands are the conference commands that act on configuration (LDAP sync
// templates, services, devices) rather than on running conferences: the simulator's
// configuration side answers them, not the platform.
var configCommands = map[string]bool{"sync": true, "send_conference_email": true,
	"send_device_email": true}

func commands() []*command {
	var out []*command
	for _, t := range commandTables {
		c := &command{group: t[0], name: t[1], fields: parseFields(t[2])}
		c.platform = c.group != "platform" || c.name == "start_cloudnode"
		if c.group == "conference" && configCommands[c.name] {
			c.platform = false
		}
		out = append(out, c)
	}
	return out
}
