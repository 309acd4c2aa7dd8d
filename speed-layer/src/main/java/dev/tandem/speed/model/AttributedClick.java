package dev.tandem.speed.model;

import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;

/** The output of the attribution join: what core's {@link Facts#attributedClick} needs. */
public class AttributedClick implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public String clickEventId;
    public String impressionEventId;
    public long clickTime;
    public long clickIngestTime;
    public String clickUser;
    public String impressionCampaign;
    public long impressionIngestTime;

    public AttributedClick() {
    }

    public static AttributedClick of(PositionedEvent click, PositionedEvent impression) {
        AttributedClick a = new AttributedClick();
        a.clickEventId = click.eventId;
        a.impressionEventId = impression.eventId;
        a.clickTime = click.eventTime;
        a.clickIngestTime = click.ingestTime;
        a.clickUser = click.userId;
        a.impressionCampaign = impression.campaignId;
        a.impressionIngestTime = impression.ingestTime;
        return a;
    }

    public Fact toFact() {
        return Facts.attributedClick(clickTime, IngestTags.tagOf(clickIngestTime), clickUser,
                impressionCampaign, IngestTags.tagOf(impressionIngestTime));
    }

    @Override
    public String toString() {
        return "AttributedClick{" + clickEventId + " -> " + impressionEventId + " (" + impressionCampaign + ")}";
    }
}
