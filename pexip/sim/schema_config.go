package sim

// Field tables of the configuration API. The resources §7 of the fact sheet covers follow it;
// the others carry plausible fields of their own kind.

const (
	layouts     = "one_main_zero_pips|one_main_seven_pips|one_main_twentyone_pips|two_mains_twentyone_pips|four_mains_zero_pips|nine_mains_zero_pips|sixteen_mains_zero_pips|twentyfive_mains_zero_pips|five_mains_seven_pips"
	protocols   = "sip|h323|mssip|rtmp|gms|teams"
	callTypes   = "video|audio|video-only"
	globalOnOff = "GLOBAL|ON|OFF"
)

const conferenceFields = `
name string req uniq max=250 f o # The name used to refer to this service. Maximum length: 250 characters.
service_type string def="conference" ch=conference|lecture|two_stage_dialing|test_call|media_playback f o # The type of conferencing service.
description string max=250 f o # A description of the service. Maximum length: 250 characters.
aliases related many rel=conference_alias nested rev=conference_alias.conference f2 # The aliases associated with this service. A list of nested alias objects.
allow_guests boolean f o # Whether Guest participants are allowed to join.
pin string max=20 f o # Host PIN: 4-20 digits, optionally ending in #.
guest_pin string max=20 f o # Guest PIN: 4-20 digits, optionally ending in #. Only used when guests are allowed.
call_type string def="video" ch=video|audio|video-only # Maximum media content of the conference.
host_view string def="one_main_seven_pips" max=50 ch=` + layouts + ` # The layout Hosts see.
guest_view string null max=50 ch=` + layouts + ` # The layout Guests see (Virtual Auditorium).
enable_chat string def="default" ch=default|yes|no f o # Whether chat messaging is enabled.
enable_overlay_text boolean f o # Show participant names as overlay text.
enable_active_speaker_indication boolean # Show the active speaker.
force_presenter_into_main boolean # Lock the presenter into the main video position.
guests_can_present boolean def=true # Whether Guests may present.
guests_can_see_guests string def="no_hosts" ch=no_hosts|never|always # When Guests see other Guests.
mute_all_guests boolean # Mute all Guests when they join.
participant_limit integer null range=0..1000000 f o # Maximum number of participants.
max_callrate_in integer null range=128..8192 f o # Maximum inbound call rate (kbps).
max_callrate_out integer null range=128..8192 f o # Maximum outbound call rate (kbps).
max_pixels_per_second string null ch=sd|hd|fullhd # Maximum call quality.
crypto_mode string null ch=besteffort|on|off # Media encryption requirements; empty means use the global setting.
direct_media string def="never" ch=never|best_effort|always # Direct media between two participants.
direct_media_notification_duration integer range=0..30 # Seconds to show the direct media notification.
denoise_enabled boolean # Noise suppression.
softmute_enabled boolean # Soft mute.
breakout_rooms boolean # Breakout rooms.
live_captions_enabled string def="default" ch=default|yes|no # Live captions.
non_idp_participants string def="disallow_all" ch=disallow_all|allow_if_trusted # Participants not authenticated by an identity provider.
guest_identity_provider_group related null rel=identity_provider_group # Identity provider group for Guests.
host_identity_provider_group related null rel=identity_provider_group # Identity provider group for Hosts.
ivr_theme related null rel=ivr_theme nested f2 # The theme for this service. A single related resource; a URI or nested resource data.
system_location related null rel=system_location f2 # Location for outbound calls from this service.
mssip_proxy related null rel=mssip_proxy f2 # Microsoft SIP proxy.
teams_proxy related null rel=teams_proxy # Teams connector.
gms_access_token related null rel=gms_access_token f2 # Google Meet access token.
media_playlist related null rel=media_playlist f2 # Media playlist for Media Playback services.
automatic_participants related many rel=automatic_participant nested rev=automatic_participant.conference # Automatically Dialed Participants of this service.
match_string string max=250 # Virtual Reception regular expression.
replace_string string max=250 # Virtual Reception replacement.
post_match_string string max=250 # Post-lookup regular expression.
post_replace_string string max=250 # Post-lookup replacement.
two_stage_dial_type string def="regular" ch=regular|mssip|gms|teams f o # Virtual Reception type.
on_completion string # JSON text: what to do when a Test Call completes.
pinning_config string null # Layout pinning configuration.
primary_owner_email_address string max=100 f o # Email address of the owner.
tag string max=250 f o # A unique identifier used to track usage of this service.
sync_tag string max=250 # LDAP sync identifier; read-only in practice.
scheduled_conferences related many rel=scheduled_conference f2 # Scheduled conferences of this service.
scheduled_conferences_count integer ro f # Number of scheduled conferences.
`

const aliasFields = `
alias string req uniq max=250 f o # The alias; include any domain the endpoint adds. Maximum length: 250 characters.
conference related req rel=conference cascade f2 # The service this alias belongs to. A single related resource; a URI or nested resource data.
description string max=250 f o # A description of the alias.
view_order integer # Display order of the alias.
`

const adpFields = `
alias string req max=250 f o # The alias of the participant to dial.
conference related many rel=conference f2 # The services that dial this participant.
description string max=250 f o # A description of the participant.
protocol string def="sip" ch=` + protocols + ` f o # Protocol to dial with.
call_type string def="video" ch=` + callTypes + ` # Maximum media content of the call.
role string def="guest" ch=guest|chair f o # Role of the participant (chair = Host).
dtmf_sequence string max=250 # DTMF sent after connecting; a comma is a two second pause.
keep_conference_alive string def="keep_conference_alive_if_multiple" ch=keep_conference_alive|keep_conference_alive_if_multiple|keep_conference_alive_never # Whether this participant keeps the conference alive.
routing string def="manual" ch=manual|routing_rule # How the call is routed.
system_location related null rel=system_location # Location to dial from.
streaming boolean # Whether the participant is a streaming or recording device.
remote_display_name string max=250 f o # Display name of the participant.
presentation_url string max=250 # RTMP URL for the presentation stream.
`

const routingRuleFields = `
name string req max=250 f o # The name of the rule.
description string max=250 f o # A description of the rule.
priority integer req range=1..200 f o # Priority: rules are tried from lowest to highest.
enable boolean def=true f o # Whether the rule is enabled.
match_string string req max=250 f o # Regular expression the alias must match.
match_string_full boolean # Match against the full alias URI.
replace_string string max=250 # Replacement for the matched alias.
called_device_type string def="external" ch=external|registration|mssip_conference_id|mssip_server|gms_conference|teams_conference|teams_user|telehealth_profile f o # Where the call is sent.
outgoing_protocol string def="sip" ch=` + protocols + ` f o # Protocol of the outgoing call.
call_type string def="video" ch=video|audio|video-only|auto # Maximum media content.
match_incoming_calls boolean def=true f # Apply to incoming calls.
match_outgoing_calls boolean f # Apply to outgoing calls from services.
match_incoming_sip boolean def=true # Match incoming SIP calls.
match_incoming_h323 boolean def=true # Match incoming H.323 calls.
match_incoming_mssip boolean def=true # Match incoming Microsoft SIP calls.
match_incoming_webrtc boolean def=true # Match incoming WebRTC calls.
match_incoming_teams boolean # Match incoming Teams calls.
match_incoming_only_if_registered boolean # Match only registered callers.
match_source_location related null rel=system_location # Only match calls from this location.
outgoing_location related null rel=system_location # Location of the outgoing call.
sip_proxy related null rel=sip_proxy # SIP proxy.
h323_gatekeeper related null rel=h323_gatekeeper # H.323 gatekeeper.
mssip_proxy related null rel=mssip_proxy # Microsoft SIP proxy.
teams_proxy related null rel=teams_proxy # Teams connector.
stun_server related null rel=stun_server # STUN server.
turn_server related null rel=turn_server # TURN server.
gms_access_token related null rel=gms_access_token # Google Meet access token.
telehealth_profile related null rel=telehealth_profile # Telehealth profile.
ivr_theme related null rel=ivr_theme nested # The theme. A single related resource; a URI or nested resource data.
max_pixels_per_second string null ch=sd|hd|fullhd # Maximum call quality.
max_callrate_in integer null range=128..8192 # Maximum inbound call rate (kbps).
max_callrate_out integer null range=128..8192 # Maximum outbound call rate (kbps).
crypto_mode string null ch=besteffort|on|off # Media encryption requirements.
denoise_audio boolean def=true # Noise suppression.
live_captions_enabled string def="default" ch=default|yes|no # Live captions.
external_participant_avatar_lookup string def="default" ch=default|yes|no # Avatar lookup.
treat_as_trusted boolean # Treat the caller as trusted.
tag string max=250 f o # A tag for this rule.
disabled_codecs related many rel=disabled_codec nested # Codecs not offered on calls this rule places.
`

const locationFields = `
name string req uniq max=250 f o # The name of the location.
description string max=250 f o # A description of the location.
mtu integer def=1500 range=512..1500 # Maximum transmission unit.
media_qos integer null def=0 range=0..63 # DSCP value for media.
signalling_qos integer null def=0 range=0..63 # DSCP value for signalling.
local_mssip_domain string max=255 # Local Microsoft SIP domain.
dns_servers related many rel=dns_server nested # DNS servers of this location.
ntp_servers related many rel=ntp_server nested # NTP servers of this location.
syslog_servers related many rel=syslog_server nested # Syslog servers of this location.
event_sinks related many rel=event_sink nested # Event sinks of this location.
client_turn_servers related many rel=turn_server # TURN servers offered to clients.
client_stun_servers related many rel=stun_server # STUN servers offered to clients.
h323_gatekeeper related null rel=h323_gatekeeper # H.323 gatekeeper.
sip_proxy related null rel=sip_proxy # SIP proxy.
mssip_proxy related null rel=mssip_proxy # Microsoft SIP proxy.
teams_proxy related null rel=teams_proxy # Teams connector.
turn_server related null rel=turn_server # TURN server.
stun_server related null rel=stun_server # STUN server.
http_proxy related null rel=http_proxy # Web proxy.
policy_server related null rel=policy_server # Policy server.
snmp_network_management_system related null rel=snmp_network_management_system # SNMP NMS.
overflow_location1 related null rel=system_location # Primary overflow location.
overflow_location2 related null rel=system_location # Secondary overflow location.
transcoding_location related null rel=system_location # Transcoding location.
use_relay_candidates_only boolean # Only use TURN relay candidates.
bdpm_pin_checks_enabled string def="GLOBAL" ch=` + globalOnOff + ` # Break-in resistance for PINs.
bdpm_scan_quarantine_enabled string def="GLOBAL" ch=` + globalOnOff + ` # Quarantine of scanners.
`

const workerVMFields = `
name string req uniq max=32 f o # The name of the Conferencing Node.
hostname string req uniq max=63 f o # Hostname of the node.
domain string max=192 f o # DNS domain of the node.
address string req max=39 f o # IPv4 address.
netmask string req max=15 # IPv4 netmask.
gateway string req max=39 # IPv4 default gateway.
ipv6_address string null # IPv6 address.
ipv6_gateway string null # IPv6 gateway.
secondary_address string null # Secondary interface address.
secondary_netmask string null # Secondary interface netmask.
static_nat_address string null # Static NAT address.
alternative_fqdn string max=255 # Alternative FQDN.
description string max=250 f o # A description of the node.
node_type string def="CONFERENCING" ch=CONFERENCING|PROXYING f o # Role of the node.
deployment_type string def="MANUAL-PROVISION-ONLY" ch=VMWARE|MANUAL|MANUAL-ESXI4|MANUAL-HYPERV2012|MANUAL-PROVISION-ONLY|AWS|AZURE|GCP # How the node is deployed.
system_location related req rel=system_location f2 # Location of the node.
vm_cpu_count integer def=4 range=2..128 # Virtual CPUs.
vm_system_memory integer def=4096 range=2000..64000 # System memory (MB).
enable_distributed_database boolean def=true # Whether the node takes part in the distributed database.
enable_ssh string def="GLOBAL" ch=` + globalOnOff + ` # SSH access.
maintenance_mode boolean f o # Maintenance mode: no new calls.
maintenance_mode_reason string max=250 # Why the node is in maintenance.
media_priority_weight integer null def=0 # Media priority weight.
password string wo # SSH password of the admin account.
snmp_mode string def="DISABLED" ch=DISABLED|STANDARD|AUTHPRIV # SNMP mode.
snmp_community string def="public" max=16 # SNMP community.
snmp_system_contact string def="admin@domain.com" max=70 # SNMP contact.
snmp_system_location string def="Virtual machine" max=70 # SNMP location.
snmp_username string max=100 # SNMPv3 user.
snmp_authentication_password string hash # SNMPv3 authentication password; read back hashed.
snmp_privacy_password string hash # SNMPv3 privacy password; read back hashed.
ssh_authorized_keys related many rel=ssh_authorized_key # SSH keys.
ssh_authorized_keys_use_cloud boolean def=true # Use keys from the cloud.
static_routes related many rel=static_route nested # Static routes.
tls_certificate related null rel=tls_certificate # TLS certificate.
host integer null # VM manager (VMWARE deployment).
host_username string wo # VM manager username.
host_password string wo # VM manager password.
host_network string # VM network.
host_resource_path string # VM resource path.
`

const ivrThemeFields = `
name string req uniq max=250 f o # The name of the theme.
uuid string ro # Identifier of the theme package.
package file null wo # The theme ZIP file, uploaded as multipart.
conference related many ro rel=conference rev=conference.ivr_theme # Services using this theme.
gateway_routing_rule related many ro rel=gateway_routing_rule rev=gateway_routing_rule.ivr_theme # Call Routing Rules using this theme.
custom_layouts string ro # Custom layouts of the theme, comma separated.
pinning_configs string ro # Pinning configurations, comma separated.
last_updated datetime ro null # When the theme was last uploaded.
`

// simpleConfig lists the remaining configuration resources as name, verbose name and fields.
var simpleConfig = [][3]string{
	{"dns_server", "DNS server", `
address string req max=255 f o # IP address of the DNS server.
description string max=250 f o # A description.`},
	{"ntp_server", "NTP server", `
address string req max=255 f o # Address of the NTP server.
description string max=250 f o # A description.
key string wo # Authentication key.
key_id integer null # Key identifier.`},
	{"syslog_server", "Syslog server", `
address string req max=255 f o # Address of the syslog server.
description string max=250 f o # A description.
port integer def=514 range=1..65535 # Port.
transport string def="udp" ch=udp|tcp|tls # Transport.
audit_log boolean def=true # Send the audit log.
support_log boolean def=true # Send the support log.
web_log boolean # Send the web server log.`},
	{"snmp_network_management_system", "SNMP NMS", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
address string req max=255 # Address.
port integer def=161 range=1..65535 # Port.
snmp_trap_community string def="public" max=16 # Trap community.`},
	{"host_system", "VM manager", `
name string req uniq max=250 f o # Name.
host_type string def="VMWARE" ch=VMWARE # Type.
address string req max=255 # Address.
username string max=250 # Username.
password string wo # Password.`},
	{"static_route", "Static route", `
name string req uniq max=250 f o # Name.
address string req max=39 # Destination network address.
prefix integer req range=0..128 # Prefix length.
gateway string req max=39 # Gateway.`},
	{"ms_exchange_connector", "Exchange connector", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
url string max=255 # EWS URL.
username string max=250 # Service account.
password string wo # Password.`},
	{"exchange_domain", "Exchange domain", `
domain string req max=192 f o # Domain.
exchange_connector related null rel=ms_exchange_connector # Connector.`},
	{"management_vm", "Management Node", `
name string req uniq max=32 f o # Name.
hostname string max=63 # Hostname.
domain string max=192 # Domain.
address string max=39 # IPv4 address.
netmask string max=15 # Netmask.
gateway string max=39 # Gateway.
description string max=250 # A description.
primary boolean ro def=true # Primary Management Node.`},
	{"ca_certificate", "CA certificate", `
certificate string req # PEM certificate.
subject_name string ro f o # Subject.
issuer_name string ro f o # Issuer.
start_date datetime ro null # Valid from.
end_date datetime ro null o # Valid until.`},
	{"tls_certificate", "TLS certificate", `
certificate string req # PEM certificate.
private_key string wo # PEM private key.
subject_name string ro f o # Subject.
issuer_name string ro f o # Issuer.
start_date datetime ro null # Valid from.
end_date datetime ro null o # Valid until.
nodes related many rel=worker_vm # Nodes using the certificate.`},
	{"certificate_signing_request", "Certificate signing request", `
subject_name string req max=250 f o # Subject.
additional_subject_alt_names string # SANs.
csr string ro # The request PEM.
private_key_type string def="rsa2048" ch=rsa2048|rsa4096|ecdsa256|ecdsa384 # Key type.`},
	{"global", "Global settings", `
enable_webrtc boolean def=true # Enable WebRTC.
enable_sip boolean def=true # Enable SIP.
enable_h323 boolean def=true # Enable H.323.
crypto_mode string def="besteffort" ch=besteffort|on|off # Media encryption.
max_pixels_per_second string def="hd" ch=sd|hd|fullhd # Maximum call quality.
max_callrate_in integer null range=128..8192 # Maximum inbound call rate.
max_callrate_out integer null range=128..8192 # Maximum outbound call rate.
bdpm_pin_checks_enabled boolean def=true # Break-in resistance.
logs_max_age integer def=0 # Days to keep logs; 0 = off.
management_session_timeout integer def=30 # Minutes.
default_webapp_alias related null rel=webapp_alias # Default web app alias.`},
	{"h323_gatekeeper", "H.323 Gatekeeper", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
address string req max=255 # Address.
port integer def=1719 range=1..65535 # Port.`},
	{"sip_credential", "SIP credential", `
realm string req max=250 f o # Realm.
username string req max=250 f o # Username.
password string wo # Password.`},
	{"sip_proxy", "SIP proxy", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
address string req max=255 # Address.
port integer null range=1..65535 # Port.
transport string def="tls" ch=tcp|udp|tls # Transport.`},
	{"mssip_proxy", "Microsoft SIP proxy", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
address string req max=255 # Address.
port integer def=5061 range=1..65535 # Port.
transport string def="tls" ch=tcp|tls # Transport.`},
	{"turn_server", "TURN server", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
address string req max=255 # Address.
port integer def=3478 range=1..65535 # Port.
server_type string def="namepsw" ch=namepsw|coturn_shared # Type.
transport_type string def="udp" ch=udp|tcp|tls # Transport.
username string max=100 # Username.
password string wo # Password.
secret_key string wo # Shared secret.`},
	{"stun_server", "STUN server", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
address string req max=255 # Address.
port integer def=3478 range=1..65535 # Port.`},
	{"policy_server", "Policy server", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
url string max=255 # Base URL.
username string max=100 # Username.
password string wo # Password.
enable_service_lookup boolean # Service configuration lookups.
enable_participant_lookup boolean # Participant lookups.
enable_registration_lookup boolean # Registration lookups.
enable_directory_lookup boolean # Directory lookups.
enable_avatar_lookup boolean # Avatar lookups.`},
	{"registration", "Registration settings", `
enable boolean # Allow registrations.
refresh_strategy string def="adaptive" ch=adaptive|basic # Refresh strategy.
adaptive_min_refresh integer def=60 # Minimum refresh (s).
adaptive_max_refresh integer def=3600 # Maximum refresh (s).
maximum_min_refresh integer def=60 # Minimum refresh, basic (s).
maximum_max_refresh integer def=3600 # Maximum refresh, basic (s).`},
	{"device", "Device", `
alias string req uniq max=250 f o # Alias the device registers with.
description string max=250 f o # A description.
username string max=250 f o # Username.
password string wo # Password.
primary_owner_email_address string max=100 f o # Owner.
enable_sip boolean def=true # Allow SIP registration.
enable_h323 boolean def=true # Allow H.323 registration.
enable_infinity_connect_non_sso boolean def=true # Allow Connect registration.
tag string max=250 f o # Tag.
sync_tag string max=250 # LDAP sync identifier.`},
	{"conference_sync_template", "Conference sync template", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
ldap_sync_source related null rel=ldap_sync_source # LDAP source.
ldap_user_filter string # User filter.
service_type string def="conference" ch=conference|lecture # Service type to create.
name_template string max=500 # Name template (jinja2).
alias_template string max=500 # Alias template.`},
	{"ldap_sync_source", "LDAP sync source", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
ldap_server string req max=255 # LDAP server address.
ldap_base_dn string max=255 # Base DN.
ldap_bind_username string max=255 # Bind user.
ldap_bind_password string wo # Bind password.
ldap_use_global_catalog boolean # Use the global catalog.`},
	{"ldap_sync_field", "LDAP sync field", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
template_variable_name string req max=100 # Template variable.`},
	{"recurring_conference", "Recurring conference", `
conference related null rel=conference # The service.
subject string max=250 # Meeting subject.
ews_item_id string max=250 f # Exchange item id.
is_depleted boolean # No further occurrences.`},
	{"scheduled_conference", "Scheduled conference", `
conference related null rel=conference f2 # The service.
name string max=250 f o # Name.
start_time datetime null f o # Start.
end_time datetime null f o # End.
subject string max=250 # Subject.
ews_item_id string max=250 f # Exchange item id.
recurring_conference related null rel=recurring_conference # Series.`},
	{"scheduled_alias", "Scheduled alias", `
alias string req uniq max=250 f o # Alias.
alias_number integer null # Numeric alias.
numeric_alias string max=250 # Numeric alias text.
conference_deleted boolean # The scheduled conference was deleted.
exchange_connector related null rel=ms_exchange_connector # Connector.`},
	{"authentication", "Authentication", `
source string def="LOCAL" ch=LOCAL|LDAP|LOCAL_AND_LDAP # Where administrators are authenticated.
ldap_server string max=255 # LDAP server.
ldap_base_dn string max=255 # Base DN.
ldap_bind_username string max=255 # Bind user.
ldap_bind_password string wo # Bind password.
api_oauth2_disable_basic boolean # Refuse Basic authentication on the API.
api_oauth2_expiration integer def=3600 # Token lifetime (s).`},
	{"role", "Role", `
name string req uniq max=250 f o # Name.
permissions related many rel=permission # Permissions of the role.`},
	{"ldap_role", "LDAP role", `
name string req uniq max=250 f o # Name.
ldap_group_dn string req max=255 # Group DN.
roles related many rel=role # Roles granted.`},
	{"permission", "Permission", `
name string req max=250 f o # Name.
codename string req max=100 f o # Code name.`},
	{"adfs_auth_server", "AD FS server", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
client_id string req max=250 # Client id.
federation_service_name string req max=250 # Federation service name.
federation_service_identifier string max=250 # Identifier.
relying_party_trust_identifier_url string max=255 # Relying party trust URL.`},
	{"adfs_auth_server_domain", "AD FS domain", `
domain string req max=192 f o # Domain.
description string max=250 # A description.
adfs_auth_server related req rel=adfs_auth_server # Server.`},
	{"google_auth_server", "Google OAuth credential", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
application_type string def="web" ch=web|installed # Application type.
client_id string req max=250 # Client id.
client_secret string wo # Client secret.`},
	{"google_auth_server_domain", "Google OAuth domain", `
domain string req max=192 f o # Domain.
description string max=250 # A description.
google_auth_server related req rel=google_auth_server # Credential.`},
	{"upgrade", "Upgrade", `
package file null wo # The upgrade package.
timestamp datetime ro null # When the upgrade was started.`},
	{"autobackup", "Automatic backup", `
autobackup_enabled boolean # Take backups automatically.
autobackup_interval integer def=24 range=1..168 # Hours between backups.
autobackup_passphrase string wo # Passphrase the backups are encrypted with.
autobackup_start_hour integer def=1 range=0..23 # Hour of the first backup.
autobackup_upload_url string max=255 # Where backups are uploaded.
autobackup_upload_username string max=250 # Upload username.
autobackup_upload_password string wo # Upload password.`},
	{"oauth2_client", "OAuth2 client", `
client_name string req uniq max=250 f o # Name.
role related null rel=role # Administrator role of the client.
client_id string ro f # Client id.
private_key_jwt string wo # Private key, shown once.`},
	{"identity_provider_group", "Identity provider group", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.`},
	{"teams_proxy", "Teams connector", `
name string req uniq max=250 f o # Name.
address string req max=255 # Address.
port integer def=443 range=1..65535 # Port.`},
	{"gms_access_token", "Google Meet access token", `
name string req uniq max=250 f o # Name.
token string wo # Token.`},
	{"media_playlist", "Media playlist", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
loop boolean # Loop the playlist.`},
	{"telehealth_profile", "Telehealth profile", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.`},
	{"http_proxy", "Web proxy", `
name string req uniq max=250 f o # Name.
address string req max=255 # Address.
port integer def=8080 range=1..65535 # Port.
protocol string def="http" ch=http # Protocol.
username string max=100 # Username.
password string wo # Password.`},
	{"event_sink", "Event sink", `
name string req uniq max=250 f o # Name.
description string max=250 # A description.
url string req max=255 # URL events are posted to.
username string max=100 # Username.
password string wo # Password.
version integer def=2 ch=1|2 # Event format version.`},
	{"ssh_authorized_key", "SSH authorized key", `
keytype string req ch=ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256 # Key type.
key string req # Public key.
comment string max=250 f o # Comment.`},
	{"disabled_codec", "Disabled codec", `
value string req uniq max=250 f o # Codec name.`},
	{"webapp_alias", "Web app alias", `
slug string req uniq max=250 f o # Path of the alias.
description string max=250 # A description.
webapp_type string def="webapp3" ch=webapp1|webapp2|webapp3|management|admin # Web app.
is_enabled boolean def=true # Enabled.`},
}

// configResources returns every resource of the configuration API.
func configResources() []*resource {
	out := []*resource{
		newResource("configuration", "conference", "Virtual Meeting Room", true, conferenceFields),
		newResource("configuration", "conference_alias", "Alias", true, aliasFields),
		newResource("configuration", "automatic_participant", "Automatically Dialed Participant", true, adpFields),
		newResource("configuration", "gateway_routing_rule", "Call Routing Rule", true, routingRuleFields),
		newResource("configuration", "system_location", "System location", false, locationFields),
		newResource("configuration", "worker_vm", "Conferencing Node", false, workerVMFields),
		newResource("configuration", "ivr_theme", "Theme", false, ivrThemeFields),
		licenceResource(), licenceRequestResource(), systemBackupResource(),
	}
	for _, s := range simpleConfig {
		out = append(out, newResource("configuration", s[0], s[1], false, s[2]))
	}
	return out
}

// licenceResource is keyed by a 10-digit fulfillment id instead of an integer.
func licenceResource() *resource {
	r := newResource("configuration", "licence", "License", false, `
fulfillment_id string ro f o # 10-digit fulfillment id; the key of this resource.
entitlement_id string req max=19 f o # Entitlement key: XXXX-XXXX-XXXX-XXXX (hex digits).
offline_mode boolean wo # Activate offline: answer with a licence request to complete by hand.
product_id string ro f # Licensed product.
features string ro # Licensed features.
concurrent integer ro # Concurrent licences granted.
activatable integer ro # Licences that can be activated.
expiration_date string ro # Expiry date.
status string ro f # State of the licence.`)
	r.list = []string{"get", "post"}
	r.detail = []string{"get", "delete"}
	dropID(r)
	return r
}

func licenceRequestResource() *resource {
	r := newResource("configuration", "licence_request", "License request", false, `
sequence_number string ro f # Request number; the key of this resource.
reference_id string ro # Reference of the fulfillment.
actions string ro # The request XML to send to the licensing server.
response_xml file null wo # The licensing server's response, uploaded as multipart.`)
	r.list = []string{"get"}
	r.detail = []string{"get", "post", "delete"}
	dropID(r)
	return r
}

func systemBackupResource() *resource {
	r := newResource("configuration", "system_backup", "System backup", false, `
filename string ro f o # File name; the key of this resource.
build string ro # Software build the backup was taken on.
version string ro # Software version.
date datetime ro f o # When the backup was taken.
size integer ro o # Size in bytes.`)
	r.list = []string{"get"}
	r.detail = []string{"get", "delete"}
	dropID(r)
	return r
}

// dropID removes the integer id of resources keyed by something else.
func dropID(r *resource) {
	delete(r.byName, "id")
	kept := r.fields[:0]
	for _, f := range r.fields {
		if f.name != "id" {
			kept = append(kept, f)
		}
	}
	r.fields = kept
	r.ordering = r.ordering[1:]
}
