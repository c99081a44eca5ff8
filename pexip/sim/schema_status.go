package sim

// Field tables of the status and history APIs (§7.8–§7.17 of the fact sheet). Objects come
// from the platform model; these tables drive schemas, filtering and ordering only.

const statusParticipantFields = `
id string f o # Participant UUID.
conference string f o # Name of the service (not a URI).
service_type string f o # Type of the service.
service_tag string f o # Tag of the service.
display_name string f o # Display name, chosen by the caller.
participant_alias string f o # Alias of the participant.
source_alias string f o # Source alias of the call.
destination_alias string f o # Alias that was dialled.
call_direction string f o ch=in|out # Direction of the call.
call_uuid string f # Call UUID.
conversation_id string f # Conversation id.
call_quality string f o # Perceived call quality.
bucketed_call_quality string # Counts of quality readings, as a string holding a list.
historic_call_quality string # Quality readings over time, as a string holding a list.
bandwidth integer f o # Bandwidth (kbps).
rx_bandwidth integer f o # Receive bandwidth (kbps).
tx_bandwidth integer f o # Transmit bandwidth (kbps).
connect_time datetime f o # When the participant connected.
encryption string f # On or Off.
has_media boolean f # Whether media flows.
is_muted boolean f o # Muted by an administrator.
is_on_hold boolean f # On hold.
is_presenting boolean f o # Presenting.
is_presentation_supported boolean f # Can receive presentation.
is_streaming boolean f # Streaming or recording device.
is_waiting boolean f # Held at the waiting screen (locked, or no host yet); a simulator extension.
license_count integer f # Licences used.
license_type string f # Licence type.
media_node string f o # Node handling media.
signalling_node string f o # Node handling signalling.
proxy_node string f # Proxying node, "" when none.
parent_id string # Deprecated; always "".
protocol string f o # Protocol of the call.
remote_address string f o # Remote IP address.
remote_port integer # Remote port.
role string f o ch=chair|guest # Role.
system_location string f o # Location name.
vendor string f o # Endpoint or browser.
`

const statusMediaStreamFields = `
id string f o # Stream id ("0" audio, "1" video, ...).
type string f o ch=audio|video|presentation # Stream type.
node string f # Node of the stream.
start_time datetime f o # Start.
end_time datetime f o # End; "" while the stream runs.
rx_bitrate integer f o # Receive bitrate (kbps).
rx_codec string f # Receive codec.
rx_jitter float f o # Receive jitter (ms).
rx_packet_loss float f o # Receive packet loss (%).
rx_packets_lost integer f # Receive packets lost.
rx_packets_received integer f # Packets received.
rx_resolution string f # Receive resolution.
rx_fps float f # Frames per second (receive).
tx_bitrate integer f o # Transmit bitrate (kbps).
tx_codec string f # Transmit codec.
tx_jitter float f o # Transmit jitter (ms).
tx_packet_loss float f o # Transmit packet loss (%).
tx_packets_lost integer f # Transmit packets lost.
tx_packets_sent integer f # Packets sent.
tx_resolution string f # Transmit resolution.
tx_fps float f # Frames per second (transmit).
`

const historyParticipantFields = `
id string f o # Participant UUID.
conference related rel=conference f2 # URI of the history conference.
conference_name string f o # Name of the service.
display_name string f o # Display name.
local_alias string f o # The alias dialled.
remote_alias string f o # Remote alias.
call_direction string f o ch=in|out # Direction.
call_quality string f o # Perceived call quality.
bucketed_call_quality string # Counts of quality readings, as a string holding a list.
historic_call_quality string # Quality readings over time, as a string holding a list.
call_uuid string f # Call UUID.
conversation_id string f # Conversation id.
disconnect_reason string f o # Why the call ended.
duration integer f o # Seconds.
start_time datetime f o # Start.
end_time datetime f o # End.
bandwidth integer f o # Bandwidth (kbps).
encryption string f # On or Off.
has_media boolean f # Whether media flowed.
is_streaming boolean f # Streaming device.
license_count integer f # Licences used.
license_type string f # Licence type.
media_node string f # Media node.
signalling_node string f # Signalling node.
proxy_node string f # Proxying node; "None" when none.
parent_id string # Deprecated.
protocol string f o # Protocol.
role string f o # Role.
service_tag string f o # Service tag.
service_type string f o # Service type.
system_location string f o # Location name.
vendor string f o # Endpoint or browser.
remote_address string f o # Remote address.
remote_port integer # Remote port.
media_streams related many nested rel=media_stream f2 # Media streams, nested.
`

const historyMediaStreamFields = `
id integer f o # Stream record id.
stream_id string f # "0" audio, "1" video, ...
stream_type string f o ch=audio|video|presentation # Stream type.
participant related rel=participant f2 # URI of the history participant.
node string f # Node.
start_time datetime f o # Start.
end_time datetime f o # End.
rx_bitrate integer f o # Receive bitrate.
rx_codec string f # Receive codec.
rx_packet_loss float f o # Receive packet loss (%).
rx_packets_lost integer f # Packets lost.
rx_packets_received integer f # Packets received.
rx_resolution string f # Receive resolution.
rx_fps float f # Frames per second (receive).
tx_bitrate integer f o # Transmit bitrate.
tx_codec string f # Transmit codec.
tx_packet_loss float f o # Transmit packet loss (%).
tx_packets_lost integer f # Packets lost.
tx_packets_sent integer f # Packets sent.
tx_resolution string f # Transmit resolution.
tx_fps float f # Frames per second (transmit).
`

// backplaneFields are what status and history backplanes share.
const backplaneFields = `
id string f o # Backplane UUID.
service_type string f # Service type.
service_tag string f o # Service tag.
media_node string f o # Local node.
remote_media_node string f # Remote node.
remote_node_name string f # Remote node name.
system_location string f o # Location of the local node.
remote_system_location string f o # Location of the remote node.
protocol string f # Protocol ("Backplane").
`

const statusBackplaneFields = backplaneFields + `
conference string f o # Conference name.
connect_time datetime f o # Connected at.
`

const historyBackplaneFields = backplaneFields + `
conference related rel=conference f2 # URI of the history conference.
conference_name string f o # Name of the service.
start_time datetime f o # Connected at.
end_time datetime f o # Disconnected at.
duration integer f o # Seconds.
disconnect_reason string f o # Why the backplane ended.
media_streams related many nested rel=media_stream f2 # Media streams, nested.
`

var statusTables = [][3]string{
	{"conference", `
id string f o # Conference UUID.
name string f o # Service name.
service_type string f o # Service type.
tag string f o # Service tag.
start_time datetime f o # When the conference started.
is_started boolean f # A Host is present.
is_locked boolean f o # Locked.
guests_muted boolean f # Guests muted.
direct_media_available boolean f # Direct media possible.`},
	{"conference_shard", `
id string f o # Shard UUID.
conference string f o # Conference name.
node string f o # Node address.
system_location string f o # Location.
service_type string f # Service type.
tag string f # Tag.
start_time datetime f o # Start.
is_started boolean f # A Host is present.
is_locked boolean f # Locked.
is_direct boolean f # Direct media.
guests_muted boolean f # Guests muted.
transcoding_enabled boolean f # Transcoding.`},
	{"participant", statusParticipantFields},
	{"registration_alias", `
id integer f o # Registration id.
alias string f o # Registered alias.
registration_id string f # Registration UUID.
username string f o # Username.
node string f o # Node.
protocol string f o # Protocol.
remote_address string f # Remote address.
is_natted boolean f # Behind NAT.
push_token string # Push token.
start_time datetime f o # Registered since.
vendor string f o # Endpoint.`},
	{"worker_vm", `
id integer f o # Status id.
configuration_id integer f o # Id of configuration/worker_vm.
name string f o # Node name.
node_type string f o # CONFERENCING or PROXYING.
system_location string f o # Location name.
version string f o # Software version.
sync_status string f o # Configuration sync state.
upgrade_status string f # Upgrade state.
deploy_status string f # Deployment state.
last_attempted_contact datetime f o # Last contact attempt.
last_updated datetime f o # Last configuration update.
boot_time datetime f o # Boot time.
maintenance_mode boolean f # Maintenance mode.
maintenance_mode_reason string # Why.
media_load integer f o # Media load (%).
media_tokens_used integer f o # Tokens used.
max_media_tokens integer f # Token capacity.
max_sd_calls integer f # SD capacity.
max_hd_calls integer f o # HD capacity.
max_full_hd_calls integer f # Full HD capacity.
max_audio_calls integer f # Audio capacity.
max_direct_participants integer # Direct media capacity.
signaling_count integer f o # Signalling sessions.
cpu_count integer # CPUs.
cpu_model string # CPU model.
cpu_capabilities string # CPU flags.
total_ram integer # RAM (KB).
hypervisor string # Hypervisor.`},
	{"system_location", `
id integer f o # Location id.
name string f o # Location name.
media_load float f o # Media load (%).
media_tokens_used integer f # Tokens used.
max_media_tokens integer f # Token capacity.
max_sd_calls integer f # SD capacity.
max_hd_calls integer f # HD capacity.
max_full_hd_calls integer f # Full HD capacity.
max_audio_calls integer f # Audio capacity.
max_connections string # Comma-separated node type/limit list.`},
	{"backplane", statusBackplaneFields},
	{"alarm", `
id integer f o # Alarm id.
identifier integer f # Alarm type.
level string f o # Severity.
name string f o # Alarm name.
details string # Details.
instance string f # Instance.
node string f o # Node address.
acknowledged boolean f # Acknowledged.
time_raised datetime f o # Raised at.`},
	{"licensing", `
audio_count integer # Audio licences in use.
audio_total integer # Audio licences.
port_count integer # Port licences in use.
port_total integer # Port licences.
system_count integer # System licences in use.
system_total integer # System licences.
vmr_count integer # VMR licences in use.
vmr_total integer # VMR licences.
teams_count integer # Teams licences in use.
teams_total integer # Teams licences.
ghm_count integer # Google Meet licences in use.
ghm_total integer # Google Meet licences.
otj_count integer # One Touch Join licences in use.
otj_total integer # One Touch Join licences.
scheduling_count integer # Scheduling licences in use.
scheduling_total integer # Scheduling licences.
telehealth_count integer # Telehealth licences in use.
telehealth_total integer # Telehealth licences.
customlayouts_active boolean # Custom layouts licensed.
googletrustedjoin_active boolean # Google trusted join.
zoomtrustedjoin_active boolean # Zoom trusted join.`},
	{"conference_sync", `
id integer f o # Sync id.
configuration_id integer f # Template id.
sync_status string f # State.
last_updated datetime f o # Last run.
sync_progress integer # Percent.`},
	{"cloud_node", `
cloud_instance_id string f o # Cloud instance id; the key of this resource.
cloud_instance_ip string f # Instance address.
cloud_instance_launch_time datetime f o # Launched at.
cloud_instance_name string f o # Instance name.
cloud_instance_state string f o # State, e.g. stopped.
aws_instance_id string # Deprecated twin of cloud_instance_id.
aws_instance_ip string # Deprecated.
aws_instance_launch_time datetime # Deprecated.
aws_instance_name string # Deprecated.
aws_instance_state string # Deprecated.
max_hd_calls integer f # HD capacity.
media_load integer f o # Media load (%); 100 when stopped.
workervm_configuration_id integer f # Node configuration id.
workervm_configuration_location_name string f # Location name.
workervm_configuration_name string f # Node name.`},
	{"cloud_monitored_location", `
id integer f o # Location id.
name string f o # Location name.
free_hd_calls integer f o # Free HD capacity.
max_hd_calls integer f # HD capacity.
media_load integer f o # Media load (%).`},
	{"cloud_overflow_location", `
id integer f o # Location id.
name string f o # Location name.
free_hd_calls integer f o # Free HD capacity.
max_hd_calls integer f # HD capacity.
media_load integer f o # Media load (%).
systemlocation_id integer f # System location id.`},
	{"exchange_scheduler", `
id integer f o # Connector id.
name string f o # Connector name.
status string f # State.
last_contact datetime f o # Last contact.`},
	{"management_vm", `
id integer f o # Status id.
configuration_id integer f # Configuration id.
name string f o # Name.
primary boolean f # Primary.
sync_status string f # Sync state.
upgrade_status string f # Upgrade state.
version string f o # Version.
last_attempted_contact datetime f # Last contact attempt.
last_updated datetime f o # Last update.`},
}

var historyTables = [][3]string{
	{"conference", `
id string f o # Conference UUID.
name string f o # Service name.
service_type string f o # Service type.
tag string f o # Service tag.
start_time datetime f o # Start.
end_time datetime f o # End.
duration integer f o # Seconds.
participant_count integer f o # Participants over the conference's life.
participants related many rel=participant # URIs of the history participants.
instant_message_count integer f # Chat messages.
direct_media_available boolean f # Direct media possible.`},
	{"participant", historyParticipantFields},
	{"media_stream", historyMediaStreamFields},
	{"backplane", historyBackplaneFields},
	{"alarm", `
id integer f o # Alarm id.
identifier integer f # Alarm type.
level string f o # Severity.
name string f o # Alarm name.
details string # Details.
instance string f # Instance.
node string f o # Node.
time_raised datetime f o # Raised.
time_lowered datetime f o # Lowered.`},
	{"workervm_status_event", `
id integer f o # Event id.
event_type string f o # Event type.
state string f o # New state.
context string # Context.
details string # Details.
time_changed datetime f o # When.
workervm_address string f # Node address.
workervm_configuration_id integer f # Node configuration id.
workervm_configuration_name string f o # Node name.
workervm_configuration_location_name string f o # Location name.`},
}

func statusResources() []*resource {
	var out []*resource
	for _, t := range statusTables {
		out = append(out, newResource("status", t[0], t[0], false, t[1]))
	}
	return out
}

func historyResources() []*resource {
	var out []*resource
	for _, t := range historyTables {
		r := newResource("history", t[0], t[0], false, t[1])
		if t[0] == "conference" {
			r.detail = []string{"get", "delete"}
		}
		out = append(out, r)
	}
	return out
}

// subResources are the lists and objects under a status or history object, keyed by
// api/resource/sub.
func subResources() map[string]*resource {
	return map[string]*resource{
		"status/participant/media_stream": newResource("status", "media_stream", "", false, statusMediaStreamFields),
		"status/backplane/media_stream":   newResource("status", "media_stream", "", false, statusMediaStreamFields),
		"status/worker_vm/statistics": newResource("status", "statistics", "", false, `
media_load float # Media load (%).`),
		"status/system_location/statistics": newResource("status", "statistics", "", false, `
media_load float # Media load (%).`),
		"history/participant/media_stream": newResource("history", "media_stream", "", false, historyMediaStreamFields),
		"history/backplane/media_stream":   newResource("history", "media_stream", "", false, historyMediaStreamFields),
	}
}
