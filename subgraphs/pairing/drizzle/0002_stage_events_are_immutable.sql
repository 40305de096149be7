-- A stage event is history: once written it is never changed or removed.
CREATE FUNCTION "pairing"."refuse_stage_event_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stage events are immutable' USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "stage_event_immutable"
  BEFORE UPDATE OR DELETE ON "pairing"."stage_event"
  FOR EACH ROW EXECUTE FUNCTION "pairing"."refuse_stage_event_change"();
