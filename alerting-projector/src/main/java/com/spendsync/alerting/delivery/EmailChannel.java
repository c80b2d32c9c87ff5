package com.spendsync.alerting.delivery;

import com.spendsync.alerting.alert.Severity;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

/** Email over SMTP through Spring's mail sender; recipients per severity. Plain text: nothing for a client to run. */
class EmailChannel implements AlertChannel {

    static final String NAME = "email";

    private final DeliverySettings.Email settings;
    private final JavaMailSender sender;

    EmailChannel(DeliverySettings.Email settings, ObjectProvider<JavaMailSender> sender) {
        this.settings = settings;
        this.sender = sender.getIfAvailable();
        if (this.sender == null) {
            throw new IllegalStateException("Alert email recipients are set (ALERT_EMAIL_TO...) but no SMTP server "
                    + "is: set SPRING_MAIL_HOST, and SPRING_MAIL_PORT, SPRING_MAIL_USERNAME, SPRING_MAIL_PASSWORD "
                    + "as the server needs");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int senders() {
        return settings.senders();
    }

    @Override
    public boolean accepts(Severity severity) {
        return !settings.recipientsFor(severity).isEmpty();
    }

    @Override
    public Result send(Notification notification) {
        List<String> recipients = settings.recipientsFor(notification.severity());
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(settings.from().trim());
        message.setTo(recipients.toArray(String[]::new));
        message.setSubject(AlertMessages.title(notification));
        message.setText(AlertMessages.summary(notification) + "\n\n" + AlertMessages.facts(notification)
                + "\nThe alert and its history: GET /v1/alerts, and GET /v1/audit-logs?resourceId="
                + AlertMessages.plain(notification.alertId()) + "\n");
        try {
            sender.send(message);
            return new Delivered();
        } catch (MailParseException | MailPreparationException unsendable) {
            return new Rejected(Failures.describe(unsendable));
        } catch (MailException e) {
            return new Retry(Failures.describe(e), null);
        }
    }
}
