package pexip

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// Services reads one page of services (VMRs, auditoriums, receptions, test calls) with the
// filters, order_by, limit and offset in q, e.g. name__icontains=sales&order_by=name.
func (c *Client) Services(ctx context.Context, q url.Values) (Page[Service], error) {
	return ListPage[Service](ctx, c, ResService, q)
}

// Service reads one service by its configuration id.
func (c *Client) Service(ctx context.Context, id int) (Service, error) {
	var s Service
	err := c.GetObject(ctx, ResService, strconv.Itoa(id), &s)
	return s, err
}

// Aliases reads one page of conference aliases (filter conference=<service id> for one).
func (c *Client) Aliases(ctx context.Context, q url.Values) (Page[Alias], error) {
	return ListPage[Alias](ctx, c, ResAlias, q)
}

// AutoParticipants reads one page of Automatically Dialed Participants.
func (c *Client) AutoParticipants(ctx context.Context, q url.Values) (Page[AutoParticipant], error) {
	return ListPage[AutoParticipant](ctx, c, ResAutoParticipant, q)
}

// RoutingRules reads one page of Call Routing Rules.
func (c *Client) RoutingRules(ctx context.Context, q url.Values) (Page[RoutingRule], error) {
	return ListPage[RoutingRule](ctx, c, ResRoutingRule, q)
}

// IVRThemes reads one page of IVR themes.
func (c *Client) IVRThemes(ctx context.Context, q url.Values) (Page[IVRTheme], error) {
	return ListPage[IVRTheme](ctx, c, ResIVRTheme, q)
}

// LocationConfigs reads every system location's configuration.
func (c *Client) LocationConfigs(ctx context.Context) ([]LocationConfig, error) {
	return ListAll[LocationConfig](ctx, c, ResLocationConfig, nil)
}

// Conferences reads every conference in progress.
func (c *Client) Conferences(ctx context.Context) ([]Conference, error) {
	return ListAll[Conference](ctx, c, ResConference, nil)
}

// Shards reads every conference shard (a conference's presence on one node).
func (c *Client) Shards(ctx context.Context) ([]Shard, error) {
	return ListAll[Shard](ctx, c, ResShard, nil)
}

// Participants reads every participant in progress; q may filter, e.g. conference=<name>.
func (c *Client) Participants(ctx context.Context, q url.Values) ([]Participant, error) {
	return ListAll[Participant](ctx, c, ResParticipant, q)
}

// MediaStreams reads the media streams of one participant.
func (c *Client) MediaStreams(ctx context.Context, participantID string) ([]MediaStream, error) {
	path, err := objectPath(ResParticipant, participantID)
	if err != nil {
		return nil, fmt.Errorf("media streams: %w", err)
	}
	return ListAll[MediaStream](ctx, c, path+"/media_stream", nil)
}

// Nodes reads the status of every Conferencing Node.
func (c *Client) Nodes(ctx context.Context) ([]Node, error) {
	return ListAll[Node](ctx, c, ResNode, nil)
}

// Locations reads the status of every system location.
func (c *Client) Locations(ctx context.Context) ([]Location, error) {
	return ListAll[Location](ctx, c, ResLocation, nil)
}

// Alarms reads every alarm currently raised.
func (c *Client) Alarms(ctx context.Context) ([]Alarm, error) {
	return ListAll[Alarm](ctx, c, ResAlarm, nil)
}

// Registrations reads every registered alias.
func (c *Client) Registrations(ctx context.Context) ([]Registration, error) {
	return ListAll[Registration](ctx, c, ResRegistration, nil)
}

// CloudNodes reads every dynamic-bursting cloud node.
func (c *Client) CloudNodes(ctx context.Context) ([]CloudNode, error) {
	return ListAll[CloudNode](ctx, c, ResCloudNode, nil)
}

// ErrNoLicensing is a licensing list without its single object.
var ErrNoLicensing = errors.New("pexip: licensing list is empty")

// Licensing reads the licence usage, the single object of status/v1/licensing.
func (c *Client) Licensing(ctx context.Context) (*Licensing, error) {
	page, err := ListPage[Licensing](ctx, c, ResLicensing, nil)
	if err != nil {
		return nil, err
	}
	if len(page.Objects) == 0 {
		return nil, fmt.Errorf("licensing: %w", ErrNoLicensing)
	}
	return &page.Objects[0], nil
}

// ConferenceHistory reads one page of ended conferences, e.g. with
// order_by=-end_time&end_time__gte=2015-04-08T00:00:00.
func (c *Client) ConferenceHistory(ctx context.Context, q url.Values) (Page[ConferenceRecord], error) {
	return ListPage[ConferenceRecord](ctx, c, ResConferenceHistory, q)
}

// ParticipantHistory reads one page of ended participants; filter conference=<history
// conference id> for one conference.
func (c *Client) ParticipantHistory(ctx context.Context, q url.Values) (Page[ParticipantRecord], error) {
	return ListPage[ParticipantRecord](ctx, c, ResParticipantHistory, q)
}

// AlarmHistory reads one page of alarms that have been lowered.
func (c *Client) AlarmHistory(ctx context.Context, q url.Values) (Page[AlarmRecord], error) {
	return ListPage[AlarmRecord](ctx, c, ResAlarmHistory, q)
}
