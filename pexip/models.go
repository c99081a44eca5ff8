package pexip

// Resource paths relative to /api/admin/, as the client and the simulator name them.
const (
	ResService         = "configuration/v1/conference"
	ResAlias           = "configuration/v1/conference_alias"
	ResAutoParticipant = "configuration/v1/automatic_participant"
	ResRoutingRule     = "configuration/v1/gateway_routing_rule"
	ResIVRTheme        = "configuration/v1/ivr_theme"
	ResLocationConfig  = "configuration/v1/system_location"
	ResNodeConfig      = "configuration/v1/worker_vm"

	ResConference   = "status/v1/conference"
	ResShard        = "status/v1/conference_shard"
	ResParticipant  = "status/v1/participant"
	ResNode         = "status/v1/worker_vm"
	ResLocation     = "status/v1/system_location"
	ResAlarm        = "status/v1/alarm"
	ResRegistration = "status/v1/registration_alias"
	ResLicensing    = "status/v1/licensing"
	ResCloudNode    = "status/v1/cloud_node"

	ResConferenceHistory  = "history/v1/conference"
	ResParticipantHistory = "history/v1/participant"
	ResAlarmHistory       = "history/v1/alarm"
)

// Service types of configuration/v1/conference.
const (
	ServiceVMR        = "conference"
	ServiceAuditorium = "lecture"
	ServiceReception  = "two_stage_dialing"
	ServiceTestCall   = "test_call"
)

// Meta is the pagination block of every list response. Next and Previous are relative paths.
type Meta struct {
	Limit      int     `json:"limit"`
	Offset     int     `json:"offset"`
	TotalCount int     `json:"total_count"`
	Next       *string `json:"next"`
	Previous   *string `json:"previous"`
}

// Page is one page of a list response.
type Page[T any] struct {
	Meta    Meta `json:"meta"`
	Objects []T  `json:"objects"`
}

// Service is a configuration/v1/conference object: a Virtual Meeting Room, Virtual Auditorium,
// Virtual Reception or Test Call Service, told apart by ServiceType.
type Service struct {
	ID                     int               `json:"id"`
	ResourceURI            string            `json:"resource_uri"`
	Name                   string            `json:"name"`
	ServiceType            string            `json:"service_type"`
	Description            string            `json:"description"`
	Aliases                []Alias           `json:"aliases"`
	AllowGuests            bool              `json:"allow_guests"`
	PIN                    string            `json:"pin"`
	GuestPIN               string            `json:"guest_pin"`
	CallType               string            `json:"call_type"`
	HostView               string            `json:"host_view"`
	GuestView              *string           `json:"guest_view"`
	EnableChat             string            `json:"enable_chat"`
	EnableOverlayText      bool              `json:"enable_overlay_text"`
	ForcePresenterIntoMain bool              `json:"force_presenter_into_main"`
	GuestsCanPresent       bool              `json:"guests_can_present"`
	MuteAllGuests          bool              `json:"mute_all_guests"`
	ParticipantLimit       *int              `json:"participant_limit"`
	MaxCallrateIn          *int              `json:"max_callrate_in"`
	MaxCallrateOut         *int              `json:"max_callrate_out"`
	IVRTheme               Related           `json:"ivr_theme"`
	SystemLocation         Related           `json:"system_location"`
	MSSIPProxy             Related           `json:"mssip_proxy"`
	MatchString            string            `json:"match_string"`
	ReplaceString          string            `json:"replace_string"`
	PrimaryOwnerEmail      string            `json:"primary_owner_email_address"`
	Tag                    string            `json:"tag"`
	SyncTag                string            `json:"sync_tag"`
	AutomaticParticipants  []AutoParticipant `json:"automatic_participants"`
	CreationTime           Time              `json:"creation_time"`
}

// Alias is a configuration/v1/conference_alias object. Nested in a Service it has no
// ResourceURI (a real node leaves it out).
type Alias struct {
	ID           int    `json:"id"`
	ResourceURI  string `json:"resource_uri,omitempty"`
	Alias        string `json:"alias"`
	Conference   string `json:"conference"`
	Description  string `json:"description"`
	CreationTime Time   `json:"creation_time"`
}

// AutoParticipant is a configuration/v1/automatic_participant object (an Automatically Dialed
// Participant), which may be linked to many services through Conference.
type AutoParticipant struct {
	ID                  int      `json:"id"`
	ResourceURI         string   `json:"resource_uri,omitempty"`
	Alias               string   `json:"alias"`
	Conference          []string `json:"conference"`
	Description         string   `json:"description"`
	Protocol            string   `json:"protocol"`
	CallType            string   `json:"call_type"`
	Role                string   `json:"role"`
	DTMFSequence        string   `json:"dtmf_sequence"`
	KeepConferenceAlive string   `json:"keep_conference_alive"`
	Routing             string   `json:"routing"`
	SystemLocation      Related  `json:"system_location"`
	Streaming           bool     `json:"streaming"`
	RemoteDisplayName   string   `json:"remote_display_name"`
	PresentationURL     string   `json:"presentation_url"`
	CreationTime        Time     `json:"creation_time"`
}

// RoutingRule is a configuration/v1/gateway_routing_rule object (a Call Routing Rule).
type RoutingRule struct {
	ID                  int     `json:"id"`
	ResourceURI         string  `json:"resource_uri"`
	Name                string  `json:"name"`
	Description         string  `json:"description"`
	Priority            int     `json:"priority"`
	Enable              bool    `json:"enable"`
	MatchString         string  `json:"match_string"`
	MatchStringFull     bool    `json:"match_string_full"`
	ReplaceString       string  `json:"replace_string"`
	CalledDeviceType    string  `json:"called_device_type"`
	OutgoingProtocol    string  `json:"outgoing_protocol"`
	CallType            string  `json:"call_type"`
	MatchIncomingCalls  bool    `json:"match_incoming_calls"`
	MatchOutgoingCalls  bool    `json:"match_outgoing_calls"`
	MatchIncomingSIP    bool    `json:"match_incoming_sip"`
	MatchIncomingH323   bool    `json:"match_incoming_h323"`
	MatchIncomingMSSIP  bool    `json:"match_incoming_mssip"`
	MatchIncomingWebRTC bool    `json:"match_incoming_webrtc"`
	OutgoingLocation    Related `json:"outgoing_location"`
	Tag                 string  `json:"tag"`
	CreationTime        Time    `json:"creation_time"`
}

// Conference is a status/v1/conference object: a conference instance that exists while it
// has participants.
type Conference struct {
	ID          string `json:"id"`
	ResourceURI string `json:"resource_uri"`
	Name        string `json:"name"`
	ServiceType string `json:"service_type"`
	Tag         string `json:"tag"`
	StartTime   Time   `json:"start_time"`
	IsStarted   bool   `json:"is_started"`
	IsLocked    bool   `json:"is_locked"`
	GuestsMuted bool   `json:"guests_muted"`
}

// Participant is a status/v1/participant object. Conference is the conference's name, not a
// URI (a quirk of the status API).
type Participant struct {
	ID                      string  `json:"id"`
	ResourceURI             string  `json:"resource_uri"`
	Conference              string  `json:"conference"`
	ServiceType             string  `json:"service_type"`
	ServiceTag              string  `json:"service_tag"`
	DisplayName             string  `json:"display_name"`
	ParticipantAlias        string  `json:"participant_alias"`
	SourceAlias             string  `json:"source_alias"`
	DestinationAlias        string  `json:"destination_alias"`
	CallDirection           string  `json:"call_direction"`
	CallUUID                string  `json:"call_uuid"`
	ConversationID          string  `json:"conversation_id"`
	CallQuality             Quality `json:"call_quality"`
	BucketedCallQuality     IntList `json:"bucketed_call_quality"`
	HistoricCallQuality     IntList `json:"historic_call_quality"`
	Bandwidth               Int     `json:"bandwidth"`
	RxBandwidth             Int     `json:"rx_bandwidth"`
	TxBandwidth             Int     `json:"tx_bandwidth"`
	ConnectTime             Time    `json:"connect_time"`
	Encryption              string  `json:"encryption"`
	HasMedia                bool    `json:"has_media"`
	IsMuted                 bool    `json:"is_muted"`
	IsOnHold                bool    `json:"is_on_hold"`
	IsPresenting            bool    `json:"is_presenting"`
	IsPresentationSupported bool    `json:"is_presentation_supported"`
	IsStreaming             bool    `json:"is_streaming"`
	LicenseCount            Int     `json:"license_count"`
	LicenseType             string  `json:"license_type"`
	MediaNode               string  `json:"media_node"`
	SignallingNode          string  `json:"signalling_node"`
	ProxyNode               string  `json:"proxy_node"`
	ParentID                string  `json:"parent_id"`
	Protocol                string  `json:"protocol"`
	RemoteAddress           string  `json:"remote_address"`
	RemotePort              Int     `json:"remote_port"`
	Role                    string  `json:"role"`
	SystemLocation          string  `json:"system_location"`
	Vendor                  string  `json:"vendor"`
}

// MediaStream is a status/v1/participant/<id>/media_stream object. EndTime is unset while the
// stream runs (the API sends "").
type MediaStream struct {
	ID                string `json:"id"`
	Type              string `json:"type"`
	Node              string `json:"node"`
	StartTime         Time   `json:"start_time"`
	EndTime           Time   `json:"end_time"`
	RxBitrate         Int    `json:"rx_bitrate"`
	RxCodec           string `json:"rx_codec"`
	RxJitter          Float  `json:"rx_jitter"`
	RxPacketLoss      Float  `json:"rx_packet_loss"`
	RxPacketsLost     Int    `json:"rx_packets_lost"`
	RxPacketsReceived Int    `json:"rx_packets_received"`
	RxResolution      string `json:"rx_resolution"`
	TxBitrate         Int    `json:"tx_bitrate"`
	TxCodec           string `json:"tx_codec"`
	TxJitter          Float  `json:"tx_jitter"`
	TxPacketLoss      Float  `json:"tx_packet_loss"`
	TxPacketsLost     Int    `json:"tx_packets_lost"`
	TxPacketsSent     Int    `json:"tx_packets_sent"`
	TxResolution      string `json:"tx_resolution"`
}

// Node is a status/v1/worker_vm object: a Conferencing Node as it reports itself.
type Node struct {
	ID                   Int    `json:"id"`
	ResourceURI          string `json:"resource_uri"`
	ConfigurationID      Int    `json:"configuration_id"`
	Name                 string `json:"name"`
	NodeType             string `json:"node_type"`
	SystemLocation       string `json:"system_location"`
	Version              string `json:"version"`
	SyncStatus           string `json:"sync_status"`
	UpgradeStatus        string `json:"upgrade_status"`
	DeployStatus         string `json:"deploy_status"`
	LastAttemptedContact Time   `json:"last_attempted_contact"`
	LastUpdated          Time   `json:"last_updated"`
	BootTime             Time   `json:"boot_time"`
	MaintenanceMode      bool   `json:"maintenance_mode"`
	MediaLoad            Float  `json:"media_load"`
	MediaTokensUsed      Int    `json:"media_tokens_used"`
	MaxMediaTokens       Int    `json:"max_media_tokens"`
	MaxHDCalls           Int    `json:"max_hd_calls"`
	MaxFullHDCalls       Int    `json:"max_full_hd_calls"`
	MaxSDCalls           Int    `json:"max_sd_calls"`
	MaxAudioCalls        Int    `json:"max_audio_calls"`
	SignalingCount       Int    `json:"signaling_count"`
	CPUCount             Int    `json:"cpu_count"`
	TotalRAM             Int    `json:"total_ram"`
}

// Location is a status/v1/system_location object.
type Location struct {
	ID              Int    `json:"id"`
	ResourceURI     string `json:"resource_uri"`
	Name            string `json:"name"`
	MediaLoad       Float  `json:"media_load"`
	MaxHDCalls      Int    `json:"max_hd_calls"`
	MaxFullHDCalls  Int    `json:"max_full_hd_calls"`
	MaxSDCalls      Int    `json:"max_sd_calls"`
	MaxAudioCalls   Int    `json:"max_audio_calls"`
	MaxMediaTokens  Int    `json:"max_media_tokens"`
	MediaTokensUsed Int    `json:"media_tokens_used"`
}

// Alarm is a status/v1/alarm object: an alarm currently raised.
type Alarm struct {
	ID           Int    `json:"id"`
	ResourceURI  string `json:"resource_uri"`
	Identifier   Int    `json:"identifier"`
	Level        string `json:"level"`
	Name         string `json:"name"`
	Details      string `json:"details"`
	Instance     string `json:"instance"`
	Node         string `json:"node"`
	Acknowledged bool   `json:"acknowledged"`
	TimeRaised   Time   `json:"time_raised"`
}

// Registration is a status/v1/registration_alias object.
type Registration struct {
	ID             Int    `json:"id"`
	ResourceURI    string `json:"resource_uri"`
	Alias          string `json:"alias"`
	RegistrationID string `json:"registration_id"`
	Username       string `json:"username"`
	Node           string `json:"node"`
	Protocol       string `json:"protocol"`
	RemoteAddress  string `json:"remote_address"`
	IsNatted       bool   `json:"is_natted"`
	StartTime      Time   `json:"start_time"`
	Vendor         string `json:"vendor"`
}

// Licensing is the single object of status/v1/licensing.
type Licensing struct {
	AudioCount  Int `json:"audio_count"`
	AudioTotal  Int `json:"audio_total"`
	PortCount   Int `json:"port_count"`
	PortTotal   Int `json:"port_total"`
	SystemCount Int `json:"system_count"`
	SystemTotal Int `json:"system_total"`
	VMRCount    Int `json:"vmr_count"`
	VMRTotal    Int `json:"vmr_total"`
}

// ConferenceRecord is a history/v1/conference object: a conference instance that has ended.
type ConferenceRecord struct {
	ID                  string   `json:"id"`
	ResourceURI         string   `json:"resource_uri"`
	Name                string   `json:"name"`
	ServiceType         string   `json:"service_type"`
	Tag                 string   `json:"tag"`
	StartTime           Time     `json:"start_time"`
	EndTime             Time     `json:"end_time"`
	Duration            Int      `json:"duration"`
	ParticipantCount    Int      `json:"participant_count"`
	Participants        []string `json:"participants"`
	InstantMessageCount Int      `json:"instant_message_count"`
}

// ParticipantRecord is a history/v1/participant object. Conference is the URI of its
// ConferenceRecord; ProxyNode may be the literal string "None".
type ParticipantRecord struct {
	ID                  string              `json:"id"`
	ResourceURI         string              `json:"resource_uri"`
	Conference          string              `json:"conference"`
	ConferenceName      string              `json:"conference_name"`
	DisplayName         string              `json:"display_name"`
	LocalAlias          string              `json:"local_alias"`
	RemoteAlias         string              `json:"remote_alias"`
	RemoteAddress       string              `json:"remote_address"`
	RemotePort          Int                 `json:"remote_port"`
	CallDirection       string              `json:"call_direction"`
	CallQuality         Quality             `json:"call_quality"`
	BucketedCallQuality IntList             `json:"bucketed_call_quality"`
	HistoricCallQuality IntList             `json:"historic_call_quality"`
	CallUUID            string              `json:"call_uuid"`
	DisconnectReason    string              `json:"disconnect_reason"`
	Duration            Int                 `json:"duration"`
	StartTime           Time                `json:"start_time"`
	EndTime             Time                `json:"end_time"`
	Bandwidth           Int                 `json:"bandwidth"`
	Encryption          string              `json:"encryption"`
	HasMedia            bool                `json:"has_media"`
	LicenseCount        Int                 `json:"license_count"`
	LicenseType         string              `json:"license_type"`
	MediaNode           string              `json:"media_node"`
	SignallingNode      string              `json:"signalling_node"`
	ProxyNode           string              `json:"proxy_node"`
	Protocol            string              `json:"protocol"`
	Role                string              `json:"role"`
	ServiceTag          string              `json:"service_tag"`
	ServiceType         string              `json:"service_type"`
	SystemLocation      string              `json:"system_location"`
	Vendor              string              `json:"vendor"`
	MediaStreams        []MediaStreamRecord `json:"media_streams"`
}

// MediaStreamRecord is a media stream of a ParticipantRecord. Unlike status media streams its
// ID is an integer and the stream's own number is StreamID.
type MediaStreamRecord struct {
	ID                Int    `json:"id"`
	StreamID          string `json:"stream_id"`
	StreamType        string `json:"stream_type"`
	Participant       string `json:"participant"`
	Node              string `json:"node"`
	StartTime         Time   `json:"start_time"`
	EndTime           Time   `json:"end_time"`
	RxBitrate         Int    `json:"rx_bitrate"`
	RxCodec           string `json:"rx_codec"`
	RxPacketLoss      Float  `json:"rx_packet_loss"`
	RxPacketsLost     Int    `json:"rx_packets_lost"`
	RxPacketsReceived Int    `json:"rx_packets_received"`
	RxResolution      string `json:"rx_resolution"`
	TxBitrate         Int    `json:"tx_bitrate"`
	TxCodec           string `json:"tx_codec"`
	TxPacketLoss      Float  `json:"tx_packet_loss"`
	TxPacketsLost     Int    `json:"tx_packets_lost"`
	TxPacketsSent     Int    `json:"tx_packets_sent"`
	TxResolution      string `json:"tx_resolution"`
}

// AlarmRecord is a history/v1/alarm object: an alarm that was raised and has been lowered.
type AlarmRecord struct {
	ID          Int    `json:"id"`
	ResourceURI string `json:"resource_uri"`
	Identifier  Int    `json:"identifier"`
	Level       string `json:"level"`
	Name        string `json:"name"`
	Details     string `json:"details"`
	Instance    string `json:"instance"`
	Node        string `json:"node"`
	TimeRaised  Time   `json:"time_raised"`
	TimeLowered Time   `json:"time_lowered"`
}

// Shard is a status/v1/conference_shard object: one conference's presence on one node.
// Conference is the conference's name.
type Shard struct {
	ID                 string `json:"id"`
	ResourceURI        string `json:"resource_uri"`
	Conference         string `json:"conference"`
	Node               string `json:"node"`
	SystemLocation     string `json:"system_location"`
	ServiceType        string `json:"service_type"`
	Tag                string `json:"tag"`
	StartTime          Time   `json:"start_time"`
	IsStarted          bool   `json:"is_started"`
	IsLocked           bool   `json:"is_locked"`
	IsDirect           bool   `json:"is_direct"`
	GuestsMuted        bool   `json:"guests_muted"`
	TranscodingEnabled bool   `json:"transcoding_enabled"`
}

// CloudNode is a status/v1/cloud_node object: a dynamic-bursting node in a cloud. Its id is
// the cloud instance id; MediaLoad is 100 while it is stopped.
type CloudNode struct {
	ResourceURI            string `json:"resource_uri"`
	InstanceID             string `json:"cloud_instance_id"`
	InstanceIP             string `json:"cloud_instance_ip"`
	InstanceLaunchTime     Time   `json:"cloud_instance_launch_time"`
	InstanceName           string `json:"cloud_instance_name"`
	InstanceState          string `json:"cloud_instance_state"`
	MaxHDCalls             Int    `json:"max_hd_calls"`
	MediaLoad              Float  `json:"media_load"`
	NodeConfigurationID    Int    `json:"workervm_configuration_id"`
	NodeConfigurationName  string `json:"workervm_configuration_name"`
	NodeConfigLocationName string `json:"workervm_configuration_location_name"`
}

// LocationConfig is a configuration/v1/system_location object. DNS, NTP and syslog servers
// arrive as nested objects, TURN and STUN lists as URIs; Related reads both.
type LocationConfig struct {
	ID                   int       `json:"id"`
	ResourceURI          string    `json:"resource_uri"`
	Name                 string    `json:"name"`
	Description          string    `json:"description"`
	MTU                  Int       `json:"mtu"`
	MediaQoS             *Int      `json:"media_qos"`
	SignallingQoS        *Int      `json:"signalling_qos"`
	LocalMSSIPDomain     string    `json:"local_mssip_domain"`
	DNSServers           []Related `json:"dns_servers"`
	NTPServers           []Related `json:"ntp_servers"`
	SyslogServers        []Related `json:"syslog_servers"`
	ClientTURNServers    []Related `json:"client_turn_servers"`
	ClientSTUNServers    []Related `json:"client_stun_servers"`
	H323Gatekeeper       Related   `json:"h323_gatekeeper"`
	SIPProxy             Related   `json:"sip_proxy"`
	MSSIPProxy           Related   `json:"mssip_proxy"`
	TURNServer           Related   `json:"turn_server"`
	STUNServer           Related   `json:"stun_server"`
	HTTPProxy            Related   `json:"http_proxy"`
	PolicyServer         Related   `json:"policy_server"`
	OverflowLocation1    Related   `json:"overflow_location1"`
	OverflowLocation2    Related   `json:"overflow_location2"`
	TranscodingLocation  Related   `json:"transcoding_location"`
	UseRelayCandidates   bool      `json:"use_relay_candidates_only"`
	BDPMPinChecksEnabled string    `json:"bdpm_pin_checks_enabled"`
}

// IVRTheme is a configuration/v1/ivr_theme object. Conference lists the services using it.
type IVRTheme struct {
	ID                 int       `json:"id"`
	ResourceURI        string    `json:"resource_uri"`
	Name               string    `json:"name"`
	UUID               string    `json:"uuid"`
	Conference         []Related `json:"conference"`
	GatewayRoutingRule []Related `json:"gateway_routing_rule"`
	CustomLayouts      string    `json:"custom_layouts"`
	PinningConfigs     string    `json:"pinning_configs"`
	LastUpdated        Time      `json:"last_updated"`
}
