import { EVENT_TYPES } from "../domain/events";
import { listEventsQuerySchema, type HealthEvent, type ListEventsQuery } from "../contract/events";
import { eventPage } from "../db/queries/events";
import { fieldErrorsOf } from "../lib/create-router";
import { conditionalRead } from "../lib/conditional-read";
import { requireViewer, type ConsoleApp, type Viewer } from "./access";
import { eventText } from "./event-text";
import { FilterProblems, Layout } from "./layout";

/**
 * The events page (/app/events): GET /events as a page, oldest first as the feed is, with its type and account
 * filters in a GET form (the query stays in the URL) and its cursor: the next page starts after the last event shown,
 * as `next_after` says.
 */

export interface EventsView {
  /** The query as given but its cursor (type, account_id, limit), to fill the form in and to keep in the page links. */
  filters: Record<string, string>;
  query: ListEventsQuery | null;
  /** Why the query was refused (the API's 400 messages), when it was. */
  problems: string[];
  events: HealthEvent[];
  nextAfter: number;
}

/** Query values the form leaves blank mean "no filter"; the API refuses a blank account_id, a person means none. */
function presentValues(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value.trim() !== ""));
}

function eventsLink(filters: EventsView["filters"], after: number | null): string {
  const search = new URLSearchParams({ ...filters, ...(after === null ? {} : { after: String(after) }) }).toString();
  return search === "" ? "/app/events" : `/app/events?${search}`;
}

function EventRow(props: { event: HealthEvent }) {
  const { event } = props;
  return (
    <tr>
      <td class="number">{event.id}</td>
      <td>
        <time datetime={event.occurred_at}>{event.occurred_at.slice(0, 16).replace("T", " ")}</time>
      </td>
      <td>{event.type}</td>
      <td>
        {event.account_id === null ? "–" : event.type === "account.deleted" ? `Account ${event.account_id}` : <a href={`/app/accounts/${event.account_id}`}>{`Account ${event.account_id}`}</a>}
      </td>
      <td>{eventText(event)}</td>
    </tr>
  );
}

function emptyText(view: EventsView): string {
  if (view.query && view.query.after > 0) return `No events after #${view.query.after} yet.`;
  const filtered = view.filters.type !== undefined || view.filters.account_id !== undefined;
  return filtered ? "No event matches these filters." : "No events yet: uploads, rescores and model changes write them.";
}

export function EventsPage(props: { viewer: Viewer; view: EventsView }) {
  const { view } = props;
  const { filters, query, problems, events } = view;
  // A full page may have more behind it; a shorter one is the end of the feed for now.
  const more = query !== null && events.length === query.limit;
  return (
    <Layout title="Events" viewer={props.viewer}>
      <h1>Events</h1>
      <p class="as-of">The change feed, oldest first, as GET /events answers it.</p>
      <form class="filters" method="get" action="/app/events" role="search">
        <label>
          Type
          <select name="type">
            <option value="">Any</option>
            {EVENT_TYPES.map((type) => (
              <option value={type} selected={(query?.type ?? filters.type) === type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label>
          Account id
          <input type="text" inputmode="numeric" name="account_id" value={filters.account_id ?? ""} />
        </label>
        <button type="submit">Apply</button>
      </form>
      {problems.length > 0 ? (
        <FilterProblems problems={problems} />
      ) : events.length === 0 ? (
        <p class="empty">{emptyText(view)}</p>
      ) : (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Events">
          <table>
            <thead>
              <tr>
                <th scope="col" class="number">
                  Id
                </th>
                <th scope="col">When (UTC)</th>
                <th scope="col">Type</th>
                <th scope="col">Account</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <EventRow event={event} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query && (query.after > 0 || more) && (
        <nav class="pager" aria-label="Pages">
          {query.after > 0 && <a href={eventsLink(filters, null)}>From the start</a>}
          {more && <a href={eventsLink(filters, view.nextAfter)}>Newer events</a>}
        </nav>
      )}
    </Layout>
  );
}

export function registerEventsPage(pages: ConsoleApp) {
  pages.get("/app/events", requireViewer, conditionalRead, async (c) => {
    const given = presentValues(c.req.query());
    const filters = Object.fromEntries(Object.entries(given).filter(([name]) => name !== "after"));
    const parsed = listEventsQuerySchema.safeParse(given);
    if (!parsed.success) {
      const problems = fieldErrorsOf(parsed.error).map((error) => `${error.field}: ${error.message}`);
      c.status(400);
      return c.html(<EventsPage viewer={c.get("viewer")} view={{ filters, query: null, problems, events: [], nextAfter: 0 }} />);
    }
    const page = await eventPage(c.get("db"), parsed.data);
    const view = { filters, query: parsed.data, problems: [], events: page.events, nextAfter: page.next_after };
    return c.html(<EventsPage viewer={c.get("viewer")} view={view} />);
  });
}
